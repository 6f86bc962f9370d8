/**
 * `meow-relay`: runs a Meow relay with embedded defaults (SQLite data
 * directory, HTTP door on 127.0.0.1:8470, no other service needed).
 *
 *   meow-relay [--data DIR] [--host H] [--port N]
 *              [--https-port N --tls-key FILE --tls-cert FILE] [--auth USER:PASS]
 *              [--udp-port N] [--mqtt mqtt://broker:1883] [--public-url URL]...
 *              [--peer URL]... [--stamp-bits N] [--no-http] [--config FILE.json]
 *
 * A JSON config file takes the same names as the flags (camelCase:
 * {"port": 8470, "udpPort": 41325, "publicUrl": ["https://relay.example"]});
 * flags win over the file. The data directory defaults to
 * $MEOW_RELAY_DATA, else $XDG_DATA_HOME/meow-relay, else
 * ~/.local/share/meow-relay.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { toHex } from '../../protocol/codec/bytes.ts';
import { connectRelay } from '../../gateway/client/connect.ts';
import { RelayConfigError } from '../../gateway/server/errors.ts';
import { type RelayServerOptions, type RunningRelay, startRelay } from '../../gateway/server/relay.ts';

export const DEFAULT_RELAY_PORT = 8470;

const FLAGS = {
  data: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'https-port': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-cert': { type: 'string' },
  auth: { type: 'string' },
  'udp-port': { type: 'string' },
  mqtt: { type: 'string' },
  'public-url': { type: 'string', multiple: true },
  peer: { type: 'string', multiple: true },
  'stamp-bits': { type: 'string' },
  'no-http': { type: 'boolean' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const RELAY_USAGE = `usage: meow-relay [--data DIR] [--host 127.0.0.1] [--port ${DEFAULT_RELAY_PORT}]
                  [--https-port N --tls-key FILE --tls-cert FILE] [--auth USER:PASS]
                  [--udp-port N] [--mqtt mqtt://broker:1883] [--public-url URL]...
                  [--peer URL]... [--stamp-bits N] [--no-http] [--config FILE.json]`;

function port(label: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RelayConfigError(`${label} must be a port number 0-65535, got ${value}`);
  return n;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Turns flags (and an optional JSON config file) into relay options. */
export function relayOptionsFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RelayServerOptions | 'help' {
  const { values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false });
  if (values.help) return 'help';
  const file: Record<string, unknown> = values.config ? JSON.parse(readFileSync(values.config, 'utf8')) as Record<string, unknown> : {};
  const pick = (flag: keyof typeof FLAGS): unknown => (values as Record<string, unknown>)[flag] ?? file[camel(flag)];
  const str = (flag: keyof typeof FLAGS): string | undefined => {
    const v = pick(flag);
    return v === undefined ? undefined : String(v);
  };
  const host = str('host') ?? '127.0.0.1';
  const dataDir = str('data') ?? env.MEOW_RELAY_DATA ?? join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'meow-relay');
  const auth = str('auth');
  let basicAuth: { user: string; pass: string } | undefined;
  if (auth !== undefined) {
    const at = auth.indexOf(':');
    if (at <= 0) throw new RelayConfigError('--auth must be USER:PASS');
    basicAuth = { user: auth.slice(0, at), pass: auth.slice(at + 1) };
  }
  const httpsPort = port('--https-port', str('https-port'));
  let https: RelayServerOptions['https'];
  if (httpsPort !== undefined) {
    const keyFile = str('tls-key');
    const certFile = str('tls-cert');
    if (!keyFile || !certFile) throw new RelayConfigError('--https-port needs --tls-key and --tls-cert');
    https = { host, port: httpsPort, tls: { key: readFileSync(keyFile), cert: readFileSync(certFile) }, ...(basicAuth ? { basicAuth } : {}) };
  }
  const udpPort = port('--udp-port', str('udp-port'));
  const mqttUrl = str('mqtt');
  const publicUrls = pick('public-url') as string[] | undefined;
  const peers = pick('peer') as string[] | undefined;
  const stampBitsText = str('stamp-bits');
  const stampBits = stampBitsText === undefined ? undefined : Number(stampBitsText);
  if (stampBits !== undefined && !(Number.isInteger(stampBits) && stampBits >= 0 && stampBits <= 32)) {
    throw new RelayConfigError(`--stamp-bits must be an integer 0-32, got ${stampBitsText}`);
  }
  const noHttp = pick('no-http') === true;
  return {
    dataDir,
    // --auth guards every HTTP door: a private relay has no open side door (use https: basic credentials travel in clear on http).
    http: noHttp ? false : { host, port: port('--port', str('port')) ?? DEFAULT_RELAY_PORT, ...(basicAuth ? { basicAuth } : {}) },
    ...(https ? { https } : {}),
    ...(udpPort !== undefined ? { udp: { host, port: udpPort } } : {}),
    ...(mqttUrl ? { mqtt: { brokerUrl: mqttUrl } } : {}),
    ...(publicUrls ? { publicUrls } : {}),
    ...(peers ? { peers } : {}),
    ...(stampBits !== undefined ? { limits: { depositStampBits: stampBits } } : {}),
    log: (event, detail) => console.error(`meow-relay: ${event}: ${detail}`),
  };
}

/** Starts the relay and prints where it listens (URLs with credentials stay off the log). */
export async function startRelayFromArgs(argv: readonly string[]): Promise<RunningRelay | 'help'> {
  const options = relayOptionsFromArgs(argv);
  if (options === 'help') return 'help';
  // The relay reaches its catalog peers through the relay client (gateway/server does not import it).
  const relay = await startRelay({ ...options, connectPeer: (url, context) => connectRelay(url, context) });
  console.log(`meow-relay: data ${options.dataDir}`);
  console.log(`meow-relay: server id ${toHex(relay.core.serverId)}, Ed25519 ${toHex(relay.key.publicKey.signing)}, X25519 ${toHex(relay.key.publicKey.agreement)}`);
  // The form a gateway pins in its config (gateway.relayKeys).
  console.log(`meow-relay: key ${toHex(relay.key.publicKey.signing)}:${toHex(relay.key.publicKey.agreement)}`);
  for (const url of relay.core.descriptor().urls) console.log(`meow-relay: listening ${url}`);
  if (!options.publicUrls && relay.core.descriptor().urls.some((u) => /\/\/(0\.0\.0\.0|\[::\])[:/]/.test(u))) {
    console.error('meow-relay: warning: listening on every interface but publishing 0.0.0.0 in the signed descriptor: '
      + 'give the address clients should use with --public-url (e.g. --public-url http://relay.example.org:8470)');
  }
  return relay;
}

export async function main(argv: readonly string[]): Promise<number> {
  let relay: RunningRelay | 'help';
  try {
    relay = await startRelayFromArgs(argv);
  } catch (e) {
    console.error(`meow-relay: ${e instanceof Error ? e.message : String(e)}`);
    // Bad flags or config are a usage error (2); a port in use or an unreachable broker is a runtime failure (1).
    if (e instanceof RelayConfigError || String((e as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS')) {
      console.error(RELAY_USAGE);
      return 2;
    }
    return 1;
  }
  if (relay === 'help') {
    console.log(RELAY_USAGE);
    return 0;
  }
  const running = relay;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      console.log('meow-relay: stopping');
      void running.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
