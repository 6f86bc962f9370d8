/**
 * meow-node configuration: a JSON file merged over embedded defaults, so
 * `meow-node` with no file runs a node on the LAN (UDP + mDNS) with its data
 * in ./.meow-data and no radio. Validation errors name the field.
 */
import { AppError } from '../errors.ts';
import type { ErrorDetails } from '../../protocol/errors.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoRaHatEntry } from '../../node-runtime/links/lora/open-lora-hat.ts';

export type RegionName = 'EU868' | 'US915' | 'none';
import type { LogLevel } from '../../seams/logger.ts';

export interface UdpLinkConfig {
  readonly type: 'udp';
  readonly port: number;
  readonly bindAddress: string;
  /** Static neighbours "host:port" (a broadcast address works too). */
  readonly peers: readonly string[];
  /** Find neighbours on the LAN by mDNS (_meow._udp). */
  readonly mdns: boolean;
}

export interface SerialLinkConfig {
  readonly type: 'serial';
  readonly path: string;
  readonly baudRate: number;
}

/** A LoRa HAT: the fields the hardware driver documents (node-runtime/links/lora/open-lora-hat.ts). */
export type LoRaLinkConfig = { readonly type: 'lora' } & LoRaHatEntry;

export type LinkConfig = UdpLinkConfig | SerialLinkConfig | LoRaLinkConfig;

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
}

export const DEFAULT_CONFIG: NodeConfig = {
  dataDir: '.meow-data',
  region: 'EU868',
  links: [{ type: 'udp', port: 6369, bindAddress: '0.0.0.0', peers: [], mdns: true }],
  status: { host: '127.0.0.1', port: 8471 },
  gateway: { relays: [], onlineProbeMs: 60_000, offlineProbeMs: 10_000, depositStampBits: 16, pollMs: 30_000, relayKeys: {} },
  log: { level: 'info' },
};

const LINK_DEFAULTS = {
  udp: DEFAULT_CONFIG.links[0] as UdpLinkConfig,
  serial: { type: 'serial', path: '/dev/ttyUSB0', baudRate: 115_200 } satisfies SerialLinkConfig,
  lora: { type: 'lora', path: '/dev/serial0', m0Pin: 22, m1Pin: 27, channel: 18, airRateBps: 2400, netId: 0 } satisfies LoRaLinkConfig,
} as const;

export class ConfigError extends AppError<'bad-config'> {
  override readonly name = 'ConfigError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('bad-config', message, details.fields, details);
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function check(cond: boolean, field: string, expected: string): void {
  if (!cond) throw new ConfigError(`config: ${field} must be ${expected}`);
}

function int(v: unknown, field: string, min: number, max: number): number {
  check(Number.isInteger(v) && (v as number) >= min && (v as number) <= max, field, `an integer in ${min}..${max}`);
  return v as number;
}

function str(v: unknown, field: string): string {
  check(typeof v === 'string' && v.length > 0, field, 'a non-empty string');
  return v as string;
}

/** A misspelt field ("baud" for "baudRate") must stop the node, not be silently ignored. */
function onlyKnown(o: Json, field: string, known: readonly string[]): void {
  for (const key of Object.keys(o)) check(known.includes(key), `${field}.${key}`, `one of ${known.join(', ')} (unknown field)`);
}

const LINK_FIELDS = {
  udp: ['type', 'port', 'bindAddress', 'peers', 'mdns'],
  serial: ['type', 'path', 'baudRate'],
  lora: ['type', 'path', 'm0Pin', 'm1Pin', 'channel', 'airRateBps', 'netId', 'model', 'txPowerDbm'],
} as const;

function parseLink(raw: unknown, i: number): LinkConfig {
  const field = `links[${i}]`;
  check(isObject(raw), field, 'an object');
  const o = raw as Json;
  if (o.type === 'udp' || o.type === 'serial' || o.type === 'lora') onlyKnown(o, field, LINK_FIELDS[o.type]);
  switch (o.type) {
    case 'udp': {
      const m = { ...LINK_DEFAULTS.udp, ...o };
      check(Array.isArray(m.peers) && m.peers.every((p) => typeof p === 'string'), `${field}.peers`, 'a list of "host:port" strings');
      check(typeof m.mdns === 'boolean', `${field}.mdns`, 'true or false');
      return { type: 'udp', port: int(m.port, `${field}.port`, 0, 65535), bindAddress: str(m.bindAddress, `${field}.bindAddress`), peers: m.peers, mdns: m.mdns };
    }
    case 'serial': {
      const m = { ...LINK_DEFAULTS.serial, ...o };
      return { type: 'serial', path: str(m.path, `${field}.path`), baudRate: int(m.baudRate, `${field}.baudRate`, 1200, 4_000_000) };
    }
    case 'lora': {
      const m = { ...LINK_DEFAULTS.lora, ...o };
      return {
        type: 'lora', path: str(m.path, `${field}.path`), m0Pin: int(m.m0Pin, `${field}.m0Pin`, 0, 53), m1Pin: int(m.m1Pin, `${field}.m1Pin`, 0, 53),
        channel: int(m.channel, `${field}.channel`, 0, 83), airRateBps: int(m.airRateBps, `${field}.airRateBps`, 300, 62_500),
        netId: int(m.netId, `${field}.netId`, 0, 255),
        ...(o.model !== undefined ? { model: str(o.model, `${field}.model`) } : {}),
        ...(o.txPowerDbm !== undefined ? { txPowerDbm: int(o.txPowerDbm, `${field}.txPowerDbm`, -10, 30) } : {}),
      };
    }
    default:
      throw new ConfigError(`config: ${field}.type must be "udp", "serial" or "lora"`);
  }
}

function relayKeysOf(raw: unknown, relays: readonly string[]): Record<string, string> {
  check(isObject(raw), 'gateway.relayKeys', 'an object of relay URL to "ed25519hex:x25519hex"');
  for (const [url, key] of Object.entries(raw as Json)) {
    check(relays.includes(url), `gateway.relayKeys["${url}"]`, 'the key of a URL listed in gateway.relays');
    check(typeof key === 'string' && /^[0-9a-f]{64}:[0-9a-f]{64}$/i.test(key), `gateway.relayKeys["${url}"]`, '"ed25519hex:x25519hex" (64 hex digits each)');
  }
  return raw as Record<string, string>;
}

/** Merges a parsed JSON object over the defaults and validates every field. */
export function parseConfig(raw: unknown, baseDir = process.cwd()): NodeConfig {
  check(isObject(raw), 'the configuration', 'a JSON object');
  const o = raw as Json;
  const known = new Set(['dataDir', 'region', 'meshKeyHex', 'links', 'status', 'gateway', 'log']);
  for (const key of Object.keys(o)) check(known.has(key), key, `one of ${[...known].join(', ')} (unknown field)`);
  const region = o.region ?? DEFAULT_CONFIG.region;
  check(region === 'EU868' || region === 'US915' || region === 'none', 'region', '"EU868", "US915" or "none"');
  if (o.meshKeyHex !== undefined) check(typeof o.meshKeyHex === 'string' && /^[0-9a-f]{64}$/i.test(o.meshKeyHex), 'meshKeyHex', '64 hex digits');
  const linksRaw = o.links ?? DEFAULT_CONFIG.links;
  check(Array.isArray(linksRaw) && linksRaw.length > 0, 'links', 'a non-empty list');
  for (const section of ['status', 'gateway', 'log'] as const) {
    if (o[section] === undefined) continue;
    check(isObject(o[section]), section, 'an object');
    onlyKnown(o[section] as Json, section, Object.keys(DEFAULT_CONFIG[section]));
  }
  const status = { ...DEFAULT_CONFIG.status, ...(isObject(o.status) ? o.status : {}) };
  check(status.host === '127.0.0.1' || status.host === '::1' || status.host === 'localhost', 'status.host', 'a loopback address (status is not for the network)');
  const gateway = { ...DEFAULT_CONFIG.gateway, ...(isObject(o.gateway) ? o.gateway : {}) };
  check(Array.isArray(gateway.relays) && gateway.relays.every((u) => typeof u === 'string' && URL.canParse(u)), 'gateway.relays', 'a list of relay URLs');
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
  };
}

/** Reads a config file (JSON); no file means the embedded defaults. */
export function loadConfig(path: string | undefined): NodeConfig {
  if (!path) return parseConfig({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`config: cannot read ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw, resolve(path, '..'));
}
