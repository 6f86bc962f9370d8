/**
 * meow-node configuration: a JSON file merged over embedded defaults, so
 * `meow-node` with no file runs a node on the LAN (UDP + mDNS) with its data
 * in ./.meow-data and no radio. Validation errors name the field.
 */
import { AppError } from '../errors.ts';
import type { ErrorDetails } from '../../protocol/errors.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { check, ConfigFieldError, int, isObject, onlyKnown, type JsonObject } from '../../node-runtime/links/config-fields.ts';
import { findLinkKind, linkKinds, type LinkConfig } from '../../node-runtime/links/registry.ts';
import { udpLinkKind } from '../../node-runtime/links/udp/kind.ts';
import type { LogLevel } from '../../seams/logger.ts';
import { isRelayUrlScheme, RELAY_URL_SCHEMES } from '../../protocol/server/doors.ts';
import { parseWebConfig, type WebConfig } from './web/config.ts';
import { type DirectConfig, parseDirectConfig } from './direct-role.ts';
import { type BroadcastConfig, parseBroadcastConfig } from './broadcast-config.ts';
import { type OnionConfig, parseOnionConfig } from './onion-config.ts';
import { parseWifiConfig, type WifiConfig } from '../../node-runtime/wifi/wifi-ap.ts';
import { WifiConfigError } from '../../node-runtime/wifi/errors.ts';
import { type CollectorConfig, parseCollectorConfig, parseSensorRelayConfig, type SensorRelayConfig } from './sensors-config.ts';
import { fileReason } from '../start-errors.ts';

export type { LinkConfig } from '../../node-runtime/links/registry.ts';
export type { UdpLinkConfig } from '../../node-runtime/links/udp/kind.ts';
export type { SerialLinkConfig } from '../../node-runtime/links/serial/kind.ts';
export type { LoRaLinkConfig } from '../../node-runtime/links/lora/kind.ts';

export type RegionName = 'EU868' | 'US915' | 'none';

export interface NodeConfig {
  readonly dataDir: string;
  readonly region: RegionName;
  /** Shared network key, 64 hex digits; absent: the public default (integrity only). */
  readonly meshKeyHex?: string;
  readonly links: readonly LinkConfig[];
  /** Status endpoint for `meow status` (loopback only). */
  readonly status: { readonly host: string; readonly port: number };
  /** Relays this node syncs with when it has Internet access (makes it a gateway). */
  readonly gateway: {
    readonly relays: readonly string[];
    readonly onlineProbeMs: number;
    readonly offlineProbeMs: number;
    /** Proof-of-work bits minted on each deposit (a relay's `depositStampBits`, 16 by default). */
    readonly depositStampBits: number;
    /** How often registered users' mailboxes are fetched while a relay is online. */
    readonly pollMs: number;
    /**
     * Pinned relay keys, "ed25519hex:x25519hex" by URL (meow-relay prints them at start).
     * A relay without a pin is trusted on first use and its key remembered.
     */
    readonly relayKeys: Readonly<Record<string, string>>;
  };
  readonly log: { readonly level: LogLevel };
  /** The browser client (apps/meow-node/web/config.ts): absent or enabled false, not served. */
  readonly web?: WebConfig;
  /** The direct endpoint contacts reach through presence (apps/meow-node/direct-role.ts): absent, none. */
  readonly direct?: DirectConfig;
  /** A field sensor relay on this node (apps/meow-node/sensors-config.ts). */
  readonly sensors?: SensorRelayConfig;
  /** The sensor relays whose readings this node keeps (apps/meow-node/sensors-config.ts). */
  readonly collector?: CollectorConfig;
  /** Emergency broadcasters this node trusts (apps/meow-node/broadcast-config.ts). */
  readonly broadcast?: BroadcastConfig;
  /** How the agent builds Matriochka chains (apps/meow-node/onion-config.ts). */
  readonly onion?: OnionConfig;
  /** The node's own access point (node-runtime/wifi/wifi-ap.ts; scripts/pi/wifi-ap.ts writes its files). */
  readonly wifi?: WifiConfig;
}

export const DEFAULT_CONFIG: NodeConfig = {
  dataDir: '.meow-data',
  region: 'EU868',
  links: [udpLinkKind.defaults],
  status: { host: '127.0.0.1', port: 8471 },
  gateway: { relays: [], onlineProbeMs: 60_000, offlineProbeMs: 10_000, depositStampBits: 16, pollMs: 30_000, relayKeys: {} },
  log: { level: 'info' },
};

export class ConfigError extends AppError<'bad-config'> {
  override readonly name = 'ConfigError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('bad-config', message, details.fields, details);
  }
}

/** `"udp", "serial" or "lora"`: the registered kinds, as the refusal of an unknown one lists them. */
function kindList(): string {
  const names = linkKinds.map((kind) => `"${kind.type}"`);
  return names.length === 1 ? (names[0] as string) : `${names.slice(0, -1).join(', ')} or ${names.at(-1) as string}`;
}

/** One entry of `links`: its kind (node-runtime/links/registry.ts) checks the fields it knows. */
function parseLink(raw: unknown, i: number): LinkConfig {
  const field = `links[${i}]`;
  check(isObject(raw), field, 'an object');
  const o = raw as JsonObject;
  const kind = findLinkKind(o.type);
  if (!kind) {
    const expected = kindList();
    throw new ConfigFieldError('bad-config-field', `config: ${field}.type must be ${expected}`, { field: `${field}.type`, expected });
  }
  onlyKnown(o, field, kind.fields);
  return kind.parse(o, field) as LinkConfig;
}

function relayKeysOf(raw: unknown, relays: readonly string[]): Record<string, string> {
  check(isObject(raw), 'gateway.relayKeys', 'an object of relay URL to "ed25519hex:x25519hex"');
  for (const [url, key] of Object.entries(raw as JsonObject)) {
    check(relays.includes(url), `gateway.relayKeys["${url}"]`, 'the key of a URL listed in gateway.relays');
    check(typeof key === 'string' && /^[0-9a-f]{64}:[0-9a-f]{64}$/i.test(key), `gateway.relayKeys["${url}"]`, '"ed25519hex:x25519hex" (64 hex digits each)');
  }
  return raw as Record<string, string>;
}

/** A relay URL no relay door speaks (`htp://...`) would start a gateway that never syncs, silently: refuse it. */
function checkRelayScheme(url: string, field: string): void {
  const scheme = new URL(url).protocol;
  if (isRelayUrlScheme(scheme)) return;
  const expected = RELAY_URL_SCHEMES.map((s) => `${s}//`).join(', ');
  throw new ConfigError(`${field} has the scheme "${scheme}", which no relay speaks: use ${expected}`,
    { fields: { field, scheme, expected } });
}

/** Merges a parsed JSON object over the defaults and validates every field. */
export function parseConfig(raw: unknown, baseDir = process.cwd()): NodeConfig {
  try {
    return parseFields(raw, baseDir);
  } catch (error) {
    // The field checks are shared with the link kinds (node-runtime/links/config-fields.ts);
    // to the daemon, any of them is a configuration error (exit code 2).
    if (error instanceof ConfigFieldError || error instanceof WifiConfigError) throw new ConfigError(error.message, { fields: error.fields, cause: error });
    throw error;
  }
}

function parseFields(raw: unknown, baseDir: string): NodeConfig {
  check(isObject(raw), 'the configuration', 'a JSON object');
  const o = raw as JsonObject;
  const known = new Set(['dataDir', 'region', 'meshKeyHex', 'links', 'status', 'gateway', 'log', 'web', 'direct', 'sensors', 'collector', 'wifi', 'broadcast', 'onion']);
  for (const key of Object.keys(o)) check(known.has(key), key, `one of ${[...known].join(', ')} (unknown field)`);
  const region = o.region ?? DEFAULT_CONFIG.region;
  check(region === 'EU868' || region === 'US915' || region === 'none', 'region', '"EU868", "US915" or "none"');
  if (o.meshKeyHex !== undefined) check(typeof o.meshKeyHex === 'string' && /^[0-9a-f]{64}$/i.test(o.meshKeyHex), 'meshKeyHex', '64 hex digits');
  const linksRaw = o.links ?? DEFAULT_CONFIG.links;
  check(Array.isArray(linksRaw) && linksRaw.length > 0, 'links', 'a non-empty list');
  for (const section of ['status', 'gateway', 'log'] as const) {
    if (o[section] === undefined) continue;
    check(isObject(o[section]), section, 'an object');
    onlyKnown(o[section] as JsonObject, section, Object.keys(DEFAULT_CONFIG[section]));
  }
  const status = { ...DEFAULT_CONFIG.status, ...(isObject(o.status) ? o.status : {}) };
  check(status.host === '127.0.0.1' || status.host === '::1' || status.host === 'localhost', 'status.host', 'a loopback address (status is not for the network)');
  const gateway = { ...DEFAULT_CONFIG.gateway, ...(isObject(o.gateway) ? o.gateway : {}) };
  check(Array.isArray(gateway.relays) && gateway.relays.every((u) => typeof u === 'string' && URL.canParse(u)), 'gateway.relays', 'a list of relay URLs');
  (gateway.relays as string[]).forEach((url, i) => checkRelayScheme(url, `config: gateway.relays[${i}]`));
  const log = { ...DEFAULT_CONFIG.log, ...(isObject(o.log) ? o.log : {}) };
  check(['debug', 'info', 'warn', 'error'].includes(log.level as string), 'log.level', 'debug, info, warn or error');
  return {
    dataDir: resolve(baseDir, typeof o.dataDir === 'string' ? o.dataDir : DEFAULT_CONFIG.dataDir),
    region: region as RegionName,
    ...(typeof o.meshKeyHex === 'string' ? { meshKeyHex: o.meshKeyHex.toLowerCase() } : {}),
    links: (linksRaw as unknown[]).map(parseLink),
    status: { host: status.host as string, port: int(status.port, 'status.port', 0, 65535) },
    gateway: {
      relays: gateway.relays as string[],
      onlineProbeMs: int(gateway.onlineProbeMs, 'gateway.onlineProbeMs', 100, 86_400_000),
      offlineProbeMs: int(gateway.offlineProbeMs, 'gateway.offlineProbeMs', 100, 86_400_000),
      depositStampBits: int(gateway.depositStampBits, 'gateway.depositStampBits', 0, 28),
      pollMs: int(gateway.pollMs, 'gateway.pollMs', 50, 86_400_000),
      relayKeys: relayKeysOf(gateway.relayKeys, gateway.relays as string[]),
    },
    log: { level: log.level as LogLevel },
    ...(o.web !== undefined ? { web: parseWebConfig(o.web) } : {}),
    ...(o.direct !== undefined ? { direct: parseDirectConfig(o.direct) } : {}),
    ...(o.sensors !== undefined ? { sensors: parseSensorRelayConfig(o.sensors) } : {}),
    ...(o.collector !== undefined ? { collector: parseCollectorConfig(o.collector) } : {}),
    ...(o.wifi !== undefined ? { wifi: parseWifiConfig(o.wifi) } : {}),
    ...(o.broadcast !== undefined ? { broadcast: parseBroadcastConfig(o.broadcast) } : {}),
    ...(o.onion !== undefined ? { onion: parseOnionConfig(o.onion) } : {}),
  };
}

/** Reads a config file (JSON); no file means the embedded defaults. */
export function loadConfig(path: string | undefined): NodeConfig {
  if (!path) return parseConfig({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`config: cannot read ${path}: ${fileReason(e)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw, resolve(path, '..'));
}

/** What the command line can set without a config file (enough to run two nodes on one machine). */
export interface CommandLineOverrides {
  readonly dataDir?: string;
  /** UDP port of the LAN link. */
  readonly port?: string;
  /** Static neighbours "host:port" for the UDP link, added to the file's. */
  readonly peers?: readonly string[];
  readonly noMdns?: boolean;
  /** Port of the local API and status endpoint. */
  readonly apiPort?: string;
  /** Relays to sync with (makes the node a gateway), added to the file's. */
  readonly relays?: readonly string[];
  readonly logLevel?: string;
}

function portFlag(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new ConfigError(`${flag} must be a port number 0-65535, got "${value}"`, { fields: { flag, value } });
  return n;
}

function peerFlag(value: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d+)$/.exec(value);
  if (!m) throw new ConfigError(`--peer must be HOST:PORT (e.g. 127.0.0.1:6370), got "${value}"`, { fields: { flag: '--peer', value } });
  portFlag(m[2]!, '--peer port');
  return value;
}

/**
 * The config with the command line's flags over it, checked like the file:
 * --port, --peer and --no-mdns act on the UDP link (one is added with the
 * defaults when the file has none).
 */
export function applyCommandLine(config: NodeConfig, flags: CommandLineOverrides, cwd = process.cwd()): NodeConfig {
  let next: NodeConfig = config;
  if (flags.dataDir !== undefined) next = { ...next, dataDir: resolve(cwd, flags.dataDir) };
  if (flags.apiPort !== undefined) next = { ...next, status: { ...next.status, port: portFlag(flags.apiPort, '--api-port') } };
  if (flags.port !== undefined || flags.peers !== undefined || flags.noMdns) {
    const peers = (flags.peers ?? []).map(peerFlag);
    const links = next.links.some((l) => l.type === 'udp') ? next.links : [...next.links, udpLinkKind.defaults];
    let changed = false;
    next = {
      ...next,
      links: links.map((link) => {
        if (link.type !== 'udp' || changed) return link;
        changed = true; // the first UDP link is the LAN one the flags mean
        const udp = link as typeof udpLinkKind.defaults;
        return {
          ...udp,
          ...(flags.port !== undefined ? { port: portFlag(flags.port, '--port') } : {}),
          peers: [...udp.peers, ...peers],
          ...(flags.noMdns ? { mdns: false } : {}),
        };
      }),
    };
  }
  if (flags.relays !== undefined && flags.relays.length > 0) {
    for (const url of flags.relays) {
      // The URL is not repeated: it may hold a relay's user:pass.
      if (!URL.canParse(url)) throw new ConfigError('--relay must be a relay URL (e.g. http://127.0.0.1:8470)', { fields: { flag: '--relay' } });
      checkRelayScheme(url, '--relay');
    }
    next = { ...next, gateway: { ...next.gateway, relays: [...next.gateway.relays, ...flags.relays] } };
  }
  if (flags.logLevel !== undefined) {
    if (!['debug', 'info', 'warn', 'error'].includes(flags.logLevel)) throw new ConfigError(`--log-level must be debug, info, warn or error, got "${flags.logLevel}"`);
    next = { ...next, log: { level: flags.logLevel as LogLevel } };
  }
  return next;
}
