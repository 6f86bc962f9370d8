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

/** Merges a parsed JSON object over the defaults and validates every field. */
export function parseConfig(raw: unknown, baseDir = process.cwd()): NodeConfig {
  try {
    return parseFields(raw, baseDir);
  } catch (error) {
    // The field checks are shared with the link kinds (node-runtime/links/config-fields.ts);
    // to the daemon, any of them is a configuration error (exit code 2).
    if (error instanceof ConfigFieldError) throw new ConfigError(error.message, { fields: error.fields, cause: error });
    throw error;
  }
}

function parseFields(raw: unknown, baseDir: string): NodeConfig {
  check(isObject(raw), 'the configuration', 'a JSON object');
  const o = raw as JsonObject;
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
    onlyKnown(o[section] as JsonObject, section, Object.keys(DEFAULT_CONFIG[section]));
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
