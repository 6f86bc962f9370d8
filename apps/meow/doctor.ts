/**
 * `meow doctor [--config FILE] [--json]`: checks a node where it stands and
 * prints what to fix. Checks, in order: the node config, the UART (device
 * present, not taken by the kernel console), GPIO for the HAT's M0/M1, the
 * radio module's answers and registers (E22 HAT) or DETECT and settings
 * (RNode), the region and channel, the data directory (writable, free
 * space), the clock, the Wi-Fi access point files, relay reachability.
 * Exit codes a script can use: 0 every check passed, 3 warnings only,
 * 4 at least one failure, 2 bad usage (an unreadable config is a failure).
 * Every device and file is reached through DoctorDeps, so the tests run
 * the same checks on the emulators with each fault injected.
 */
import { access, constants, readFile, statfs } from 'node:fs/promises';
import { parseFlags } from '../flags.ts';
import type { CliIo } from './io.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { isObject, type JsonObject } from '../../node-runtime/links/config-fields.ts';
import { findLinkKind } from '../../node-runtime/links/registry.ts';
import { RNodeLink } from '../../node-runtime/links/rnode/rnode-link.ts';
import { rnodeRegionProblems } from '../../node-runtime/links/rnode/region-check.ts';
import { openRealSerialPort, type OpenSerialPort } from '../../node-runtime/links/serial/open-serial-port.ts';
import type { LoRaLinkConfig } from '../../node-runtime/links/lora/kind.ts';
import type { RNodeLinkConfig } from '../../node-runtime/links/rnode/kind.ts';
import { openE22Hat } from '../../hardware/e22/open-hat.ts';
import { parseWifiConfig, WIFI_FILE_PATHS, wifiFiles } from '../../node-runtime/wifi/wifi-ap.ts';
import type { E22Driver } from '../../hardware/e22/driver.ts';
import { E22Error } from '../../hardware/e22/errors.ts';
import { checkRegulatory, regions, type RegionName } from '../../hardware/e22/region.ts';
import { defaultConfig, e22Variants, E22_900T22S, type AirRateBps } from '../../hardware/e22/registers.ts';

export type Verdict = 'ok' | 'warn' | 'fail';
export interface Finding {
  readonly check: string;
  readonly verdict: Verdict;
  readonly detail: string;
  /** What to do about it (absent when ok). */
  readonly fix?: string;
}

export interface DoctorDeps {
  readFile(path: string): Promise<string | undefined>;
  exists(path: string): Promise<boolean>;
  writable(path: string): Promise<boolean>;
  freeBytes(path: string): Promise<number>;
  now(): number;
  /** Opens the HAT with its GPIO (canSwitchModes false when GPIO is missing). */
  openE22(path: string): Promise<E22Driver>;
  /** Port factory for RNode radios. */
  openSerial: OpenSerialPort;
  /** Resolves to undefined when the URL answers, else the reason. */
  reach(url: string): Promise<string | undefined>;
  /** Where the kernel command line lives (Raspberry Pi OS: /boot/firmware/cmdline.txt). */
  readonly cmdlinePaths: readonly string[];
  readonly hostapdConfPath: string;
  /** Default /etc/dnsmasq.d/meow.conf (node-runtime/wifi/wifi-ap.ts WIFI_FILE_PATHS). */
  readonly dnsmasqConfPath?: string;
}

export const EXIT_DOCTOR_WARN = 3;
export const EXIT_DOCTOR_FAIL = 4;
/** Below this, the store may fail mid-write and the outbox stops taking messages. */
export const minFreeBytes = 64 * 1024 * 1024;
/** A clock before this was never set (a Pi has no RTC; offline there is no NTP). */
const earliestPlausibleMs = Date.UTC(2025, 0, 1);

const ok = (check: string, detail: string): Finding => ({ check, verdict: 'ok', detail });
const warn = (check: string, detail: string, fix: string): Finding => ({ check, verdict: 'warn', detail, fix });
const fail = (check: string, detail: string, fix: string): Finding => ({ check, verdict: 'fail', detail, fix });

async function uartChecks(path: string, deps: DoctorDeps): Promise<Finding[]> {
  const out: Finding[] = [];
  out.push(await deps.exists(path) ? ok('uart', `${path} present`)
    : fail('uart', `${path} does not exist`, 'enable the UART: enable_uart=1 in /boot/firmware/config.txt (scripts/pi/prepare-sd.sh does it), then reboot'));
  for (const p of deps.cmdlinePaths) {
    const text = await deps.readFile(p);
    if (text === undefined) continue;
    const console = /console=(serial0|ttyAMA0|ttyS0)[^ \n]*/.exec(text);
    out.push(console
      ? fail('uart-console', `the kernel console is on the UART (${console[0]} in ${p})`, `remove "${console[0]}" from ${p}, run "systemctl disable --now serial-getty@ttyS0 serial-getty@ttyAMA0", reboot`)
      : ok('uart-console', `no serial console in ${p}`));
    break;
  }
  return out;
}

async function e22Checks(link: LoRaLinkConfig, deps: DoctorDeps): Promise<Finding[]> {
  const out: Finding[] = [];
  let driver: E22Driver | undefined;
  try {
    driver = await deps.openE22(link.path);
    if (!driver.canSwitchModes) {
      out.push(fail('gpio', `no GPIO for M0 (BCM ${link.m0Pin}) / M1 (BCM ${link.m1Pin})`, 'run as a user in group gpio, or set the M0/M1 jumpers by hand and use the lora-jumpers link kind'));
      return out;
    }
    out.push(ok('gpio', `M0 = BCM ${link.m0Pin}, M1 = BCM ${link.m1Pin} under control`));
    const config = await driver.readConfig();
    out.push(ok('module', `the module answers its registers (channel ${config.channel}, ${config.airRateBps} bps, net id ${config.netId}, ${config.txPowerDbm} dBm)`));
    const differs = (['channel', 'airRateBps', 'netId'] as const).filter((k) => config[k] !== link[k]);
    out.push(differs.length === 0 ? ok('registers', 'channel, air rate and net id match the config')
      : warn('registers', `the module has ${differs.map((k) => `${k} ${config[k]}`).join(', ')}; the config wants ${differs.map((k) => `${k} ${link[k]}`).join(', ')}`, 'meow-node writes them at start; or run scripts/pi/configure-hat.ts'));
  } catch (error) {
    const code = error instanceof E22Error ? error.code : 'error';
    if (code === 'command-timeout') out.push(fail('module', 'the module is silent (no reply to a register read)', 'check the HAT is seated and powered, UART jumpers on B, M0/M1 jumpers removed, and that nothing else holds the UART'));
    else if (code === 'bad-reply' || code === 'command-refused') out.push(fail('module', `the module answers garbage (${code})`, 'check the UART baud (9600 for configuration), that this is an E22 module, and that the console is off the UART'));
    else out.push(fail('module', `cannot open the HAT: ${error instanceof Error ? error.message : String(error)}`, `check ${link.path} and that the user is in group dialout`));
  } finally {
    await driver?.close();
  }
  return out;
}

async function rnodeChecks(link: RNodeLinkConfig, deps: DoctorDeps): Promise<Finding[]> {
  const { type: _t, path, baudRate, ...radio } = link;
  const rnode = new RNodeLink({ path, baudRate, radio, clock: systemClock, random: systemRandom, openPort: deps.openSerial, replyTimeoutMs: 1000 });
  try {
    const settled = await Promise.race([rnode.ready().then(() => undefined, (e: unknown) => e),
      new Promise<Error>((resolve) => setTimeout(() => resolve(new Error(`${path} did not open within 5 s`)), 5000))]);
    if (settled === undefined) return [ok('module', `RNode on ${path} answers and took ${radio.frequencyHz / 1e6} MHz, ${radio.bandwidthHz / 1000} kHz, SF${radio.spreadingFactor}, 4/${radio.codingRate}, ${radio.txPowerDbm} dBm`)];
    const message = settled instanceof Error ? settled.message : String(settled);
    return [fail('module', message, `check the radio is plugged in on ${path}, flashed with RNode firmware, and that the user is in group dialout`)];
  } finally {
    await rnode.close();
  }
}

function regionFindings(region: string, link: JsonObject): Finding[] {
  if (link.type !== 'lora' && link.type !== 'rnode' && link.type !== 'lora-jumpers') return [];
  if (region === 'none') return [warn('region', 'region "none": no regional limit is checked', 'set "region" to EU868, EU433 or US915 in the node config')];
  if (!(region in regions)) return [fail('region', `unknown region ${region}`, `use one of ${Object.keys(regions).join(', ')}`)];
  let problems: readonly string[];
  if (link.type === 'rnode') problems = rnodeRegionProblems(region, link as unknown as RNodeLinkConfig);
  else {
    const variant = e22Variants[String(link.model ?? '900t22s').toLowerCase()] ?? E22_900T22S;
    const config = { ...defaultConfig(variant), channel: link.channel as number, airRateBps: link.airRateBps as AirRateBps, txPowerDbm: (link.txPowerDbm as number | undefined) ?? variant.powerLevelsDbm.at(-1) as number };
    problems = checkRegulatory(region as RegionName, variant, config).problems.filter((p) => link.txPowerDbm !== undefined || !p.includes('dBm with'));
  }
  return problems.length === 0 ? [ok('region', `${region}: channel and power allowed`)] : [fail('region', problems.join('; '), 'pick a channel inside the region and a lawful power in the node config')];
}

async function dataDirFindings(dir: string, deps: DoctorDeps): Promise<Finding[]> {
  if (!(await deps.exists(dir))) return [fail('data-dir', `${dir} does not exist`, `create it: install -d -o meow -m 0700 ${dir}`)];
  if (!(await deps.writable(dir))) return [fail('data-dir', `${dir} is not writable`, `chown meow ${dir}`)];
  const free = await deps.freeBytes(dir);
  const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;
  return [free < minFreeBytes ? fail('disk', `only ${mib(free)} free under ${dir}`, 'free space on the SD card (journalctl --vacuum-size=50M, remove old images) or use a larger card')
    : ok('disk', `${mib(free)} free under ${dir}`)];
}

/** Runs every check on a parsed node config; never throws for a fault it can name. */
export async function runDoctor(config: JsonObject, deps: DoctorDeps): Promise<Finding[]> {
  const out: Finding[] = [];
  const region = typeof config.region === 'string' ? config.region : 'none';
  const links = Array.isArray(config.links) ? config.links.filter(isObject) : [];
  for (const [i, raw] of links.entries()) {
    const kind = findLinkKind(raw.type);
    if (!kind) {
      out.push(fail('config', `links[${i}]: unknown type ${JSON.stringify(raw.type)}`, 'fix the node config'));
      continue;
    }
    let link: JsonObject;
    try {
      link = kind.parse(raw, `links[${i}]`) as unknown as JsonObject;
    } catch (error) {
      out.push(fail('config', (error as Error).message, 'fix the node config'));
      continue;
    }
    if (typeof link.path === 'string') out.push(...await uartChecks(link.path, deps));
    if (link.type === 'lora') out.push(...await e22Checks(link as unknown as LoRaLinkConfig, deps));
    if (link.type === 'rnode') out.push(...await rnodeChecks(link as unknown as RNodeLinkConfig, deps));
    out.push(...regionFindings(region, link));
  }
  out.push(...await dataDirFindings(typeof config.dataDir === 'string' ? config.dataDir : '/var/lib/meow', deps));
  out.push(deps.now() < earliestPlausibleMs
    ? warn('clock', `the clock reads ${new Date(deps.now()).toISOString()}: never set`, 'set it (date -s "2026-01-01 12:00") or fit an RTC; message times and key expiry depend on it')
    : ok('clock', new Date(deps.now()).toISOString()));
  if (config.wifi !== undefined) out.push(...await wifiFindings(config.wifi, deps));
  const relays = isObject(config.gateway) && Array.isArray(config.gateway.relays) ? config.gateway.relays.filter((r): r is string => typeof r === 'string') : [];
  for (const url of relays) {
    const reason = await deps.reach(url);
    out.push(reason === undefined ? ok('relay', `${url} answers`) : warn('relay', `${url} unreachable: ${reason}`, 'expected offline; when online, check the URL and the network'));
  }
  return out;
}

/** The `wifi` block read by the daemon's own parser, and the installed AP files compared with what it generates. */
async function wifiFindings(raw: unknown, deps: DoctorDeps): Promise<Finding[]> {
  let files: ReturnType<typeof wifiFiles>;
  try {
    const wifi = parseWifiConfig(raw);
    if (!wifi.enabled) return [ok('wifi', 'access point off (wifi.enabled false)')];
    files = wifiFiles(wifi);
  } catch (error) {
    return [fail('wifi', (error as Error).message, 'fix the wifi block of the node config')];
  }
  const write = 'sudo npx tsx scripts/pi/wifi-ap.ts --config /etc/meow/node.json, then systemctl restart meow-ap dnsmasq (and meow-portal with the captive portal)';
  const out: Finding[] = [];
  for (const [path, expected] of [[deps.hostapdConfPath, files.hostapdConf], [deps.dnsmasqConfPath ?? WIFI_FILE_PATHS.dnsmasq, files.dnsmasqConf]] as const) {
    const installed = await deps.readFile(path);
    if (installed === undefined) out.push(fail('wifi', `${path} is missing`, write));
    else if (installed !== expected) out.push(warn('wifi', `${path} differs from the node config's wifi block`, write));
    else out.push(ok('wifi', `${path} matches the node config`));
  }
  return out;
}

export function exitCodeOf(findings: readonly Finding[]): number {
  if (findings.some((f) => f.verdict === 'fail')) return EXIT_DOCTOR_FAIL;
  return findings.some((f) => f.verdict === 'warn') ? EXIT_DOCTOR_WARN : 0;
}

export function formatFindings(findings: readonly Finding[]): string {
  const mark: Record<Verdict, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };
  const lines = findings.map((f) => `${mark[f.verdict]}  ${f.check.padEnd(12)} ${f.detail}${f.fix ? `\n      fix: ${f.fix}` : ''}`);
  const bad = findings.filter((f) => f.verdict !== 'ok').length;
  lines.push('', bad === 0 ? 'all checks passed' : `${bad} thing(s) to fix`);
  return `${lines.join('\n')}\n`;
}

export const realDoctorDeps: DoctorDeps = {
  readFile: (p) => readFile(p, 'utf8').catch(() => undefined),
  exists: (p) => access(p).then(() => true, () => false),
  writable: (p) => access(p, constants.W_OK).then(() => true, () => false),
  freeBytes: async (p) => {
    const s = await statfs(p);
    return s.bavail * s.bsize;
  },
  now: () => Date.now(),
  openE22: (path) => openE22Hat({ portPath: path, clock: systemClock, driver: { commandTimeoutMs: 1000 } }),
  openSerial: openRealSerialPort,
  reach: async (url) => {
    if (!/^https?:/.test(url)) return `only http(s) relays are probed here (${url.split(':')[0]})`;
    try {
      await fetch(url, { signal: AbortSignal.timeout(5000) });
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  },
  cmdlinePaths: ['/boot/firmware/cmdline.txt', '/boot/cmdline.txt'],
  hostapdConfPath: '/etc/hostapd/meow.conf',
};

export async function doctor(io: CliIo, argv: string[], deps: DoctorDeps = realDoctorDeps): Promise<number> {
  const { values } = parseFlags(argv, { config: { type: 'string' }, json: { type: 'boolean' } }, false);
  const path = values.config ?? io.env.MEOW_CONFIG ?? '/etc/meow/node.json';
  const text = await deps.readFile(path);
  let config: unknown;
  try {
    config = text === undefined ? undefined : JSON.parse(text);
  } catch {
    config = undefined;
  }
  const findings = isObject(config) ? await runDoctor(config, deps)
    : [fail('config', text === undefined ? `cannot read ${path}` : `${path} is not a JSON object`, 'pass --config FILE, or run scripts/pi/prepare-sd.sh to write one')];
  io.stdout.write(values.json ? `${JSON.stringify({ findings, exitCode: exitCodeOf(findings) }, null, 2)}\n` : formatFindings(findings));
  return exitCodeOf(findings);
}
