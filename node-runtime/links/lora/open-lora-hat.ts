/**
 * What the `lora` link kind opens (kind.ts): open the HAT through the
 * hardware/e22 driver, make sure the module has the configured channel, air
 * rate and net id plus the link's own settings (meshSettings), and return
 * the link with the frequency and bandwidth the duty-cycle limiter needs.
 * The model's channel range and the region's limits are checked here,
 * before anything is transmitted.
 */
import type { Clock } from '../../../seams/clock.ts';
import type { Link } from '../../../seams/link.ts';
import { e22Modulation } from '../../../hardware/e22/air-rate.ts';
import { meshSettings, openE22Hat, type OpenHatOptions } from '../../../hardware/e22/open-hat.ts';
import type { E22Config } from '../../../hardware/e22/registers.ts';
import { LoRaLink } from './lora-link.ts';
import { checkRegulatory, regions, type RegionName } from '../../../hardware/e22/region.ts';
import {
  airRatesBps, channelFrequencyKhz, defaultConfig, E22_900T22S, e22Variants, type AirRateBps, type E22Variant,
} from '../../../hardware/e22/registers.ts';
import { E22Error } from '../../../hardware/e22/errors.ts';

export interface LoRaHatEntry {
  readonly path: string;
  readonly m0Pin: number;
  readonly m1Pin: number;
  readonly channel: number;
  readonly airRateBps: number;
  readonly netId: number;
  /** 900t22s (default), 400t22s or 900t30s. */
  readonly model?: string;
  /** Transmit power; default: the highest level the region allows with a dipole (or the module's current one). */
  readonly txPowerDbm?: number;
}

export interface LoRaHatDeps {
  readonly clock: Clock;
  readonly log?: { info(event: string, fields?: Record<string, unknown>): void };
  /** The node's region ('EU868', 'US915', 'EU433'; 'none' or absent: no check). */
  readonly region?: string;
  /** Test seams (binding-mock port, FakeGpio); production leaves them out. */
  readonly open?: Pick<OpenHatOptions, 'openPort' | 'gpio' | 'driver'>;
}

export async function openLoRaHat(entry: LoRaHatEntry, deps: LoRaHatDeps): Promise<{ link: Link; frequencyHz: number; bandwidthHz: number }> {
  const variant = entry.model === undefined ? E22_900T22S : e22Variants[entry.model.toLowerCase()];
  if (!variant) throw new E22Error('bad-config', `unknown HAT model ${entry.model}`);
  if (!(airRatesBps as readonly number[]).includes(entry.airRateBps)) {
    throw new E22Error('bad-config', `air rate ${entry.airRateBps} is not one of ${airRatesBps.join(', ')}`);
  }
  if (entry.channel > variant.maxChannel) throw new E22Error('bad-config', `channel ${entry.channel} beyond ${variant.model}'s ${variant.maxChannel}`);
  const airRateBps = entry.airRateBps as AirRateBps;
  const txPowerDbm = choosePower(entry, variant, airRateBps, deps.region);
  const link = await openLoRaHatLink({
    ...deps.open,
    portPath: entry.path, variant, clock: deps.clock, pins: { m0Bcm: entry.m0Pin, m1Bcm: entry.m1Pin },
    ensure: {
      ...meshSettings, channel: entry.channel, airRateBps, netId: entry.netId,
      ...(txPowerDbm === undefined ? {} : { txPowerDbm }),
    },
    id: `lora:${entry.path}`,
  });
  const frequencyHz = channelFrequencyKhz(variant, entry.channel) * 1000;
  deps.log?.info('lora-hat', { path: entry.path, model: variant.model, frequencyHz, airRateBps, txPowerDbm, mtu: link.mtu });
  return { link, frequencyHz, bandwidthHz: e22Modulation[airRateBps].bandwidthHz };
}

/**
 * The transmit power to enforce: the configured one if the region allows it,
 * else (none configured) the highest level the region allows with a 2.15 dBi
 * dipole; a channel outside the region, or a configured power over its
 * limit, is refused rather than transmitted (region.ts).
 */
function choosePower(entry: LoRaHatEntry, variant: E22Variant, airRateBps: AirRateBps, region: string | undefined): number | undefined {
  if (region === undefined || region === 'none') return entry.txPowerDbm;
  if (!(region in regions)) throw new E22Error('bad-config', `unknown region ${region}`);
  const candidates = entry.txPowerDbm === undefined ? [...variant.powerLevelsDbm] : [entry.txPowerDbm];
  const base = { ...defaultConfig(variant), channel: entry.channel, airRateBps };
  let lastProblems: readonly string[] = [];
  for (const txPowerDbm of candidates.sort((a, b) => b - a)) {
    const check = checkRegulatory(region as RegionName, variant, { ...base, txPowerDbm });
    if (check.ok) return txPowerDbm;
    lastProblems = check.problems;
  }
  throw new E22Error('bad-config', `${region}: ${lastProblems.join('; ')}`);
}

export interface OpenLinkOptions extends OpenHatOptions {
  readonly id?: string;
  /**
   * Settings to enforce before the link starts (default meshSettings);
   * written with C0 only if they differ. A cryptKey here is written on every
   * start (the module never reads it back), so set keys with configure-hat.
   */
  readonly ensure?: Partial<E22Config>;
}

/**
 * Opens the HAT as a Link. With mode pins, reads the registers and writes
 * the mesh settings if needed; without them (config.txt fallback), trusts
 * `assumedConfig` since the module cannot be asked.
 */
export async function openLoRaHatLink(options: OpenLinkOptions & { assumedConfig?: E22Config }): Promise<LoRaLink> {
  const clock = options.clock;
  const driver = await openE22Hat(options);
  try {
    let config: E22Config;
    if (driver.canSwitchModes) {
      config = await driver.readConfig();
      const wanted = { ...config, ...(options.ensure ?? meshSettings) };
      const differs = (Object.keys(wanted) as Array<keyof E22Config>).some((k) => wanted[k] !== config[k]);
      if (differs) config = await driver.writeConfig(wanted);
    } else if (options.assumedConfig) {
      config = options.assumedConfig;
    } else {
      throw new E22Error('mode-pins-unavailable', 'no GPIO for M0/M1 and no assumedConfig: the module settings cannot be read');
    }
    return new LoRaLink({ driver, config, clock, ...(options.id ? { id: options.id } : {}) });
  } catch (error) {
    await driver.close();
    throw error;
  }
}
