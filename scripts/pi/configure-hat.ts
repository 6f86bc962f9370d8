/**
 * `tsx scripts/pi/configure-hat.ts [options] <command>`: read and write the
 * registers of the Waveshare SX1262 / SX1268 LoRa HAT (Ebyte E22) from the
 * command line, through the same driver the node uses.
 *
 * Commands:
 *   show                     registers 00H-06H, decoded (--json for JSON)
 *   set [settings]           write the given settings (C0, or C2 with --temporary)
 *   mesh                     write the settings the Meow LoRa link needs (RSSI byte, transparent, 0xFFFF)
 *   info                     product information 80H-86H (hex)
 *   noise                    ambient noise and last-packet RSSI (needs --noise-rssi on)
 *
 * Options: --port /dev/serial0  --model 900t22s|400t22s|900t30s  --region EU868|EU433|US915
 *          --antenna-gain-dbi 2.15  --force (write even if the region check fails)
 * Settings: --channel N | --frequency MHz, --air-rate bps, --power dBm, --net-id N, --address N (0x.. ok),
 *           --baud N, --packet-size 240|128|64|32, --rssi-byte on|off, --noise-rssi on|off,
 *           --lbt on|off, --relay on|off, --fixed on|off, --wor-period ms, --crypt-key N, --temporary
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { toHex } from '../../protocol/codec/bytes.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import type { E22Driver } from '../../hardware/e22/driver.ts';
import { meshSettings, openE22Hat, type OpenHatOptions } from '../../hardware/e22/open-hat.ts';
import { checkRegulatory, regions, type RegionName } from '../../hardware/e22/region.ts';
import {
  airRatesBps, channelFrequencyKhz, e22Variants, packetSizesBytes, uartBauds, worPeriodsMs,
  type E22Config, type E22Variant,
} from '../../hardware/e22/registers.ts';

export interface ConfigureHatIo {
  open(options: Omit<OpenHatOptions, 'clock'>): Promise<E22Driver>;
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
}

const options = {
  port: { type: 'string', default: '/dev/serial0' },
  model: { type: 'string', default: '900t22s' },
  region: { type: 'string' },
  'antenna-gain-dbi': { type: 'string', default: '2.15' },
  force: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  temporary: { type: 'boolean', default: false },
  channel: { type: 'string' },
  frequency: { type: 'string' },
  'air-rate': { type: 'string' },
  power: { type: 'string' },
  'net-id': { type: 'string' },
  address: { type: 'string' },
  baud: { type: 'string' },
  'packet-size': { type: 'string' },
  'rssi-byte': { type: 'string' },
  'noise-rssi': { type: 'string' },
  lbt: { type: 'string' },
  relay: { type: 'string' },
  fixed: { type: 'string' },
  'wor-period': { type: 'string' },
  'crypt-key': { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

function int(text: string, what: string): number {
  const value = /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text, 16) : /^\d+$/.test(text) ? Number.parseInt(text, 10) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError(`${what}: "${text}" is not an integer`);
  return value;
}

function oneOf<T extends number>(text: string, table: readonly T[], what: string): T {
  const value = int(text, what) as T;
  if (!table.includes(value)) throw new UsageError(`${what}: ${text} is not one of ${table.join(', ')}`);
  return value;
}

function flag(text: string, what: string): boolean {
  if (text === 'on' || text === 'true' || text === '1') return true;
  if (text === 'off' || text === 'false' || text === '0') return false;
  throw new UsageError(`${what}: use on or off`);
}

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

/** The settings named on the command line, applied over `base`. */
export function settingsFromArgs(values: Values, base: E22Config, variant: E22Variant): E22Config {
  const c: { -readonly [K in keyof E22Config]: E22Config[K] } = { ...base };
  if (values.channel !== undefined && values.frequency !== undefined) throw new UsageError('give --channel or --frequency, not both');
  if (values.channel !== undefined) c.channel = int(values.channel, '--channel');
  if (values.frequency !== undefined) {
    const khz = Math.round(Number.parseFloat(values.frequency) * 1000);
    const channel = (khz - variant.baseFrequencyKhz) / 1000;
    if (!Number.isInteger(channel)) {
      throw new UsageError(`--frequency ${values.frequency}: ${variant.model} channels are ${variant.baseFrequencyKhz / 1000} MHz + n x 1 MHz`);
    }
    c.channel = channel;
  }
  if (c.channel < 0 || c.channel > variant.maxChannel) throw new UsageError(`channel ${c.channel}: ${variant.model} has 0..${variant.maxChannel}`);
  if (values['air-rate'] !== undefined) c.airRateBps = oneOf(values['air-rate'], airRatesBps, '--air-rate');
  if (values.power !== undefined) c.txPowerDbm = oneOf(values.power, variant.powerLevelsDbm, '--power');
  if (values['net-id'] !== undefined) c.netId = int(values['net-id'], '--net-id');
  if (values.address !== undefined) c.address = int(values.address, '--address');
  if (values.baud !== undefined) c.uartBaud = oneOf(values.baud, uartBauds, '--baud');
  if (values['packet-size'] !== undefined) c.packetSizeBytes = oneOf(values['packet-size'], packetSizesBytes, '--packet-size');
  if (values['rssi-byte'] !== undefined) c.rssiByte = flag(values['rssi-byte'], '--rssi-byte');
  if (values['noise-rssi'] !== undefined) c.ambientNoiseRssi = flag(values['noise-rssi'], '--noise-rssi');
  if (values.lbt !== undefined) c.listenBeforeTalk = flag(values.lbt, '--lbt');
  if (values.relay !== undefined) c.relay = flag(values.relay, '--relay');
  if (values.fixed !== undefined) c.fixedPoint = flag(values.fixed, '--fixed');
  if (values['wor-period'] !== undefined) c.worPeriodMs = oneOf(values['wor-period'], worPeriodsMs, '--wor-period');
  if (values['crypt-key'] !== undefined) c.cryptKey = int(values['crypt-key'], '--crypt-key');
  if (c.netId > 0xff || c.address > 0xffff || (c.cryptKey ?? 0) > 0xffff) throw new UsageError('--net-id is 0..255, --address and --crypt-key 0..0xffff');
  return c;
}

function describe(config: E22Config, variant: E22Variant): string[] {
  return [
    `model            ${variant.model}`,
    `address          0x${config.address.toString(16).padStart(4, '0')}${config.address === 0xffff ? ' (broadcast / listen to all)' : ''}`,
    `net id           ${config.netId}`,
    `channel          ${config.channel} = ${(channelFrequencyKhz(variant, config.channel) / 1000).toFixed(3)} MHz`,
    `air rate         ${config.airRateBps} bit/s`,
    `power            ${config.txPowerDbm} dBm`,
    `uart             ${config.uartBaud} ${config.uartParity}`,
    `packet size      ${config.packetSizeBytes} bytes`,
    `rssi byte        ${config.rssiByte ? 'on' : 'off'}`,
    `noise rssi       ${config.ambientNoiseRssi ? 'on' : 'off'}`,
    `transmission     ${config.fixedPoint ? 'fixed-point' : 'transparent'}`,
    `relay            ${config.relay ? 'on' : 'off'}`,
    `listen b. talk   ${config.listenBeforeTalk ? 'on' : 'off'}`,
    `wor              ${config.worTransmitter ? 'transmitter' : 'receiver'}, ${config.worPeriodMs} ms`,
  ];
}

export async function runConfigureHat(argv: readonly string[], io: ConfigureHatIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`configure-hat: ${(error as Error).message}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0] ?? 'show';
  if (values.help) {
    io.out('usage: configure-hat [--port /dev/serial0] [--model 900t22s] [--region EU868] show|set|mesh|info|noise [settings]');
    return 0;
  }
  const variant = e22Variants[values.model.toLowerCase()];
  if (!variant) {
    io.err(`configure-hat: unknown --model ${values.model} (${Object.keys(e22Variants).join(', ')})`);
    return 2;
  }
  const region = values.region?.toUpperCase();
  if (region !== undefined && !(region in regions)) {
    io.err(`configure-hat: unknown --region ${values.region} (${Object.keys(regions).join(', ')})`);
    return 2;
  }
  if (!['show', 'set', 'mesh', 'info', 'noise'].includes(command)) {
    io.err(`configure-hat: unknown command ${command}`);
    return 2;
  }
  let driver: E22Driver | undefined;
  try {
    driver = await io.open({ portPath: values.port, variant });
    switch (command) {
      case 'show': {
        const config = await driver.readConfig();
        if (values.json) io.out(JSON.stringify({ model: variant.model, frequencyKhz: channelFrequencyKhz(variant, config.channel), ...config }));
        else for (const line of describe(config, variant)) io.out(line);
        return 0;
      }
      case 'set':
      case 'mesh': {
        const current = await driver.readConfig();
        const base = command === 'mesh' ? { ...current, ...meshSettings } : current;
        const wanted = settingsFromArgs(values, base, variant);
        if (region !== undefined) {
          const check = checkRegulatory(region as RegionName, variant, wanted, Number.parseFloat(values['antenna-gain-dbi']));
          for (const problem of check.problems) io.err(`${region}: ${problem}`);
          if (!check.ok && !values.force) {
            io.err('configure-hat: not written (use --force to override)');
            return 3;
          }
        }
        const written = await driver.writeConfig(wanted, { temporary: values.temporary });
        io.out(values.temporary ? 'written until power-off (C2):' : 'written and saved (C0):');
        for (const line of describe(written, variant)) io.out(line);
        return 0;
      }
      case 'info':
        io.out(toHex(await driver.readProductInfo()));
        return 0;
      case 'noise': {
        const signal = await driver.readSignal();
        io.out(`ambient noise ${signal.noiseDbm} dBm, last packet ${signal.lastPacketRssiDbm} dBm`);
        return 0;
      }
    }
    return 2;
  } catch (error) {
    const e = error as Error & { code?: string };
    io.err(`configure-hat: ${e.code ? `${e.code}: ` : ''}${e.message}`);
    return e instanceof UsageError ? 2 : 1;
  } finally {
    await driver?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runConfigureHat(process.argv.slice(2), {
    open: (o) => openE22Hat({ ...o, clock: systemClock }),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
