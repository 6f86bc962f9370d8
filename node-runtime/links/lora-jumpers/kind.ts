/**
 * The `lora-jumpers` link kind: a LoRa HAT whose M0/M1 jumpers hold normal
 * mode by hand (no GPIO wired). The entry declares how the module was
 * configured (with `scripts/pi/configure-hat.ts` on a board that has the
 * pins, or the factory defaults); the node trusts it, verifies what normal
 * mode can (hardware/e22/hand-set.ts) and logs what it could not set. A
 * declared channel or power outside the region is refused before sending.
 */
import { bool, int, str, type JsonObject } from './fields.ts';
import type { LinkKindEntry } from '../link-kind.ts';
import { LinkConfigError } from '../errors.ts';
import { LoRaLink } from '../lora/lora-link.ts';
import { openE22Hat, type OpenHatOptions } from '../../../hardware/e22/open-hat.ts';
import { e22Modulation } from '../../../hardware/e22/air-rate.ts';
import { verifyHandSetHat, type HandSetReport } from '../../../hardware/e22/hand-set.ts';
import { checkRegulatory, type RegionName, regions } from '../../../hardware/e22/region.ts';
import { airRatesBps, defaultConfig, e22Variants, E22_900T22S, type AirRateBps, type E22Config, type PacketSizeBytes, type UartBaud } from '../../../hardware/e22/registers.ts';
import type { Gpio } from '../../../seams/gpio.ts';

export interface LoRaJumpersLinkConfig {
  readonly type: 'lora-jumpers';
  readonly path: string;
  readonly model: string;
  readonly channel: number;
  readonly airRateBps: number;
  readonly netId: number;
  readonly txPowerDbm: number;
  readonly uartBaud: number;
  readonly packetSizeBytes: number;
  readonly rssiByte: boolean;
  readonly ambientNoiseRssi: boolean;
}

/** No GPIO at all: the driver stays in normal mode and never tries the pins. */
const noGpio: Gpio = {
  accessible: false,
  output: () => Promise.reject(new Error('no GPIO: M0/M1 are set by jumpers')),
  input: () => Promise.reject(new Error('no GPIO: M0/M1 are set by jumpers')),
} as Gpio;

export function declaredConfig(c: LoRaJumpersLinkConfig): E22Config {
  const variant = e22Variants[c.model.toLowerCase()] ?? E22_900T22S;
  return {
    ...defaultConfig(variant), address: 0xffff, channel: c.channel, airRateBps: c.airRateBps as AirRateBps, netId: c.netId, txPowerDbm: c.txPowerDbm,
    uartBaud: c.uartBaud as UartBaud, packetSizeBytes: c.packetSizeBytes as PacketSizeBytes, rssiByte: c.rssiByte, ambientNoiseRssi: c.ambientNoiseRssi,
  };
}

export const loraJumpersLinkKind: LinkKindEntry<LoRaJumpersLinkConfig> = {
  type: 'lora-jumpers',
  fields: ['type', 'path', 'model', 'channel', 'airRateBps', 'netId', 'txPowerDbm', 'uartBaud', 'packetSizeBytes', 'rssiByte', 'ambientNoiseRssi'],
  // What scripts/pi/configure-hat.ts writes for the mesh (open-hat.ts meshSettings) on channel 18, 868.125 MHz.
  defaults: {
    type: 'lora-jumpers', path: '/dev/serial0', model: '900t22s', channel: 18, airRateBps: 2400, netId: 0, txPowerDbm: 10,
    uartBaud: 9600, packetSizeBytes: 240, rssiByte: true, ambientNoiseRssi: true,
  },

  parse(entry: JsonObject, field: string): LoRaJumpersLinkConfig {
    const m = { ...loraJumpersLinkKind.defaults, ...entry };
    return {
      type: 'lora-jumpers', path: str(m.path, `${field}.path`), model: str(m.model, `${field}.model`),
      channel: int(m.channel, `${field}.channel`, 0, 83), airRateBps: int(m.airRateBps, `${field}.airRateBps`, 300, 62_500),
      netId: int(m.netId, `${field}.netId`, 0, 255), txPowerDbm: int(m.txPowerDbm, `${field}.txPowerDbm`, -10, 30),
      uartBaud: int(m.uartBaud, `${field}.uartBaud`, 1200, 115_200), packetSizeBytes: int(m.packetSizeBytes, `${field}.packetSizeBytes`, 32, 240),
      rssiByte: bool(m.rssiByte, `${field}.rssiByte`), ambientNoiseRssi: bool(m.ambientNoiseRssi, `${field}.ambientNoiseRssi`),
    };
  },

  async open(config, deps) {
    const variant = e22Variants[config.model.toLowerCase()];
    if (!variant) throw new LinkConfigError(`lora-jumpers: unknown model ${config.model}`, { fields: { model: config.model } });
    if (!(airRatesBps as readonly number[]).includes(config.airRateBps)) throw new LinkConfigError(`lora-jumpers: air rate ${config.airRateBps} is not one of ${airRatesBps.join(', ')}`);
    const declared = declaredConfig(config);
    if (deps.region !== 'none' && deps.region in regions) {
      const check = checkRegulatory(deps.region as RegionName, variant, declared);
      if (!check.ok) throw new LinkConfigError(`lora-jumpers: ${deps.region}: ${check.problems.join('; ')}`, { fields: { problems: check.problems } });
    }
    const link = await openHandSetLink(config, declared, { portPath: config.path, variant, clock: deps.clock }, (report) => {
      deps.log.info('lora-jumpers', { path: config.path, verified: report.verified, notSet: report.notSet, problems: report.problems });
    });
    const frequencyHz = (variant.baseFrequencyKhz + config.channel * 1000) * 1000;
    return { link, channel: { frequencyHz, bandwidthHz: e22Modulation[declared.airRateBps].bandwidthHz }, stop: async () => {} };
  },
};

/** Opens the HAT without GPIO, verifies what normal mode can, and returns the link (tests pass a mock port). */
export async function openHandSetLink(
  config: LoRaJumpersLinkConfig, declared: E22Config, hat: OpenHatOptions, report: (r: HandSetReport) => void,
): Promise<LoRaLink> {
  const driver = await openE22Hat({ ...hat, gpio: noGpio, baud: config.uartBaud });
  try {
    report(await verifyHandSetHat(driver, declared));
    return new LoRaLink({ driver, config: declared, clock: hat.clock, id: `lora-jumpers:${config.path}` });
  } catch (error) {
    await driver.close();
    throw error;
  }
}
