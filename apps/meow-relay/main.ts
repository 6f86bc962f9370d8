/**
 * `meow-relay`: runs a Meow relay with embedded defaults (SQLite data
 * directory, HTTP door on 127.0.0.1:8470, no other service needed).
 *
 *   meow-relay [--data DIR] [--host H] [--port N]
 *              [--https-port N --tls-key FILE --tls-cert FILE] [--auth USER:PASS]
 *              [--udp-port N] [--mqtt mqtt://broker:1883] [--public-url URL]...
 *              [--peer URL]... [--stamp-bits N] [--onion] [--no-http] [--config FILE.json]
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
import { lockDirectory } from '../dir-lock.ts';
import { FlagError, parseFlags } from '../flags.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { pinnedUrl, relayKeyFingerprint } from '../../protocol/server/fingerprint.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { connectRelay } from '../../gateway/client/connect.ts';
import { createOnionForwarder } from '../../gateway/client/onion-forwarder.ts';
import { RelayConfigError } from '../../gateway/server/errors.ts';
import { type RelayServerOptions, type RunningRelay, startRelay } from '../../gateway/server/relay.ts';
import { describeStartError } from '../start-errors.ts';

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
  'reflect-port': { type: 'string' },
  mqtt: { type: 'string' },
  'public-url': { type: 'string', multiple: true },
  peer: { type: 'string', multiple: true },
  'peer-sync-seconds': { type: 'string' },
  'stamp-bits': { type: 'string' },
  'no-http': { type: 'boolean' },
  onion: { type: 'boolean' },
  'onion-cover-per-minute': { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const RELAY_USAGE = `usage: meow-relay [--data DIR] [--host 127.0.0.1] [--port ${DEFAULT_RELAY_PORT}]
                  [--https-port N --tls-key FILE --tls-cert FILE] [--auth USER:PASS]
                  [--udp-port N] [--mqtt mqtt://broker:1883] [--public-url URL]...
                  [--peer URL]... [--peer-sync-seconds N] [--stamp-bits N] [--onion [--onion-cover-per-minute N]]
                  [--no-http] [--config FILE.json]`;

export const RELAY_HELP = `${RELAY_USAGE}

Runs a Meow relay: mailboxes, emergency broadcasts, presence, the "free for chat"
directory and the server catalog, in SQLite under its data directory. One relay per
data directory (a second one on the same directory exits with a message). At start it
prints its keys, the URLs it publishes (listening ...) and the same URLs with its key
fingerprint (for cards ...#k=<32 hex>): give those to users for their cards
(meow card create --relay) and nodes (gateway.relays), so they talk to this relay only
under its key.

  --data DIR          data directory (default $MEOW_RELAY_DATA, else $XDG_DATA_HOME/meow-relay,
                      else ~/.local/share/meow-relay); holds the server key, mode 0600
  --host H            address every door binds (default 127.0.0.1; 0.0.0.0 for the network,
                      then give --public-url)
  --port N            plain HTTP door (default ${DEFAULT_RELAY_PORT}; 0: any free port)
  --no-http           no plain HTTP door (with --https-port, HTTPS only)
  --https-port N      HTTPS door; needs --tls-key and --tls-cert
  --tls-key FILE      PEM private key of the HTTPS door
  --tls-cert FILE     PEM certificate of the HTTPS door
  --auth USER:PASS    HTTP basic credentials required on every HTTP(S) door (use HTTPS: on
                      plain HTTP they travel in clear; cards that list this relay carry them)
  --udp-port N        UDP door
  --mqtt URL          MQTT door through a broker (mqtt://host:1883), which must be running
  --public-url URL    an address clients should use, published in the signed descriptor
                      instead of the bound ones (repeatable)
  --reflect-port N    also answer nodes asking which public address they have (UDP), for
                      hole punching between two nodes behind NATs (docs/PROTOCOL.md, presence)
  --peer URL          another relay whose server catalog this one syncs (repeatable)
  --peer-sync-seconds N  how often catalogs are exchanged with the peers (default 3600)
  --stamp-bits N      proof-of-work bits a deposit must carry, 0-32 (default 16)
  --onion             also relay Matriochka onion packets on every door: peel, hold for the
                      sender's delay, pass on to the next relay of this relay's catalog or
                      deposit here; the onion key rotates daily and is announced in the
                      signed descriptor (held packets live in memory only)
  --onion-cover-per-minute N  with --onion: send N cover loops a minute on average (0-600, default 0:
                      off) through random relays of the catalog back to this one; each costs
                      558 bytes per hop on the wire and one onion build here
  --config FILE.json  the same settings as JSON, names in camelCase ({"udpPort": 41325});
                      flags win over the file
  -h, --help          this text

It prints its server id, its keys (the "key" line is what a gateway pins) and the
URLs it listens on, and stops cleanly on Ctrl-C or SIGTERM.`;

function port(label: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RelayConfigError(`${label} must be a port number 0-65535, got ${value}`);
  return n;
}

/** The JSON config file, or a RelayConfigError that says what is wrong with it in words. */
function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RelayConfigError(`--config ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'cannot be read'}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RelayConfigError(`--config ${path}: not valid JSON`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RelayConfigError(`--config ${path}: must be a JSON object`);
  return raw as Record<string, unknown>;
}

/** A TLS file, or a RelayConfigError naming the flag. */
function readTlsFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new RelayConfigError(`${flag} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read'}`);
  }
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Turns flags (and an optional JSON config file) into relay options. */
export function relayOptionsFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RelayServerOptions | 'help' {
  const { values } = parseFlags(argv, FLAGS, false);
  if (values.help) return 'help';
  const file = values.config ? readConfigFile(values.config) : {};
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
    https = { host, port: httpsPort, tls: { key: readTlsFile('--tls-key', keyFile), cert: readTlsFile('--tls-cert', certFile) }, ...(basicAuth ? { basicAuth } : {}) };
  }
  const udpPort = port('--udp-port', str('udp-port'));
  const reflectPort = port('--reflect-port', str('reflect-port'));
  const mqttUrl = str('mqtt');
  const publicUrls = pick('public-url') as string[] | undefined;
  const peers = pick('peer') as string[] | undefined;
  const stampBitsText = str('stamp-bits');
  const stampBits = stampBitsText === undefined ? undefined : Number(stampBitsText);
  if (stampBits !== undefined && !(Number.isInteger(stampBits) && stampBits >= 0 && stampBits <= 32)) {
    throw new RelayConfigError(`--stamp-bits must be an integer 0-32, got ${stampBitsText}`);
  }
  const syncText = str('peer-sync-seconds');
  const syncSeconds = syncText === undefined ? undefined : Number(syncText);
  if (syncSeconds !== undefined && !(Number.isInteger(syncSeconds) && syncSeconds >= 1 && syncSeconds <= 86_400)) {
    throw new RelayConfigError(`--peer-sync-seconds must be an integer 1-86400, got ${syncText}`);
  }
  const noHttp = pick('no-http') === true;
  const onion = pick('onion');
  if (onion !== undefined && typeof onion !== 'boolean') throw new RelayConfigError(`onion must be true or false, got ${String(onion)}`);
  const coverText = str('onion-cover-per-minute');
  const coverPerMinute = coverText === undefined ? 0 : Number(coverText);
  if (!(Number.isFinite(coverPerMinute) && coverPerMinute >= 0 && coverPerMinute <= 600)) {
    throw new RelayConfigError(`--onion-cover-per-minute must be a number 0-600, got ${coverText}`);
  }
  if (coverPerMinute > 0 && onion !== true) throw new RelayConfigError('--onion-cover-per-minute needs --onion');
  return {
    dataDir,
    // --auth guards every HTTP door: a private relay has no open side door (use https: basic credentials travel in clear on http).
    http: noHttp ? false : { host, port: port('--port', str('port')) ?? DEFAULT_RELAY_PORT, ...(basicAuth ? { basicAuth } : {}) },
    ...(https ? { https } : {}),
    ...(udpPort !== undefined ? { udp: { host, port: udpPort } } : {}),
    ...(reflectPort !== undefined ? { reflector: { host, port: reflectPort } } : {}),
    ...(mqttUrl ? { mqtt: { brokerUrl: mqttUrl } } : {}),
    ...(publicUrls ? { publicUrls } : {}),
    ...(peers ? { peers } : {}),
    ...(syncSeconds !== undefined ? { catalogSyncMs: syncSeconds * 1000 } : {}),
    ...(stampBits !== undefined ? { limits: { depositStampBits: stampBits } } : {}),
    // The onion front reaches the next relay through the relay client (gateway/server does not import it).
    ...(onion === true ? {
      onion: { forwarder: (resolve) => createOnionForwarder({ resolve }), ...(coverPerMinute > 0 ? { cover: { perMinute: coverPerMinute } } : {}) },
    } : {}),
    log: (event, detail) => console.error(`meow-relay: ${event}: ${detail}`),
  };
}

/** Starts the relay and prints where it listens (URLs with credentials stay off the log). */
export async function startRelayFromArgs(argv: readonly string[]): Promise<RunningRelay | 'help'> {
  const options = relayOptionsFromArgs(argv);
  if (options === 'help') return 'help';
  const lock = lockDirectory(options.dataDir, 'relay.lock', 'meow-relay');
  let started: RunningRelay;
  try {
    // The relay reaches its catalog peers through the relay client (gateway/server does not import it).
    started = await startRelay({ ...options, connectPeer: (url, context) => connectRelay(url, context) });
  } catch (error) {
    lock.release();
    throw error;
  }
  const relay: RunningRelay = { ...started, close: async () => { await started.close(); lock.release(); } };
  console.log(`meow-relay: data ${options.dataDir}`);
  console.log(`meow-relay: server id ${toHex(relay.core.serverId)}, Ed25519 ${toHex(relay.key.publicKey.signing)}, X25519 ${toHex(relay.key.publicKey.agreement)}`);
  // The form a gateway pins in its config (gateway.relayKeys).
  console.log(`meow-relay: key ${toHex(relay.key.publicKey.signing)}:${toHex(relay.key.publicKey.agreement)}`);
  if (relay.onion) console.log('meow-relay: onion front on (Matriochka packets accepted on every door)');
  for (const url of relay.core.descriptor().urls) console.log(`meow-relay: listening ${url}`);
  // The URLs to give users for their cards: the #k= fragment pins this relay's key, so nobody on the path can pose as it.
  const fingerprint = relayKeyFingerprint(createNodeSuite(), relay.key.publicKey);
  for (const url of relay.core.descriptor().urls) console.log(`meow-relay: for cards ${pinnedUrl(url, fingerprint)}`);
  if (relay.reflector) console.log(`meow-relay: address reflector udp://${options.reflector!.host.includes(':') ? `[${options.reflector!.host}]` : options.reflector!.host}:${relay.reflector.port}`);
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
    console.error(`meow-relay: ${describeStartError(e)}`);
    // Bad flags or config are a usage error (2); a locked directory, a port in use or an unreachable broker a runtime failure (1).
    if (e instanceof RelayConfigError || e instanceof FlagError) {
      console.error(`${RELAY_USAGE}\n(meow-relay --help describes every flag)`);
      return 2;
    }
    return 1;
  }
  if (relay === 'help') {
    console.log(RELAY_HELP);
    return 0;
  }
  const running = relay;
  await new Promise<void>((resolve) => {
    // Handlers stay installed: a second signal during a slow close (npm forwards
    // SIGTERM, bin/launch.js sends one more when npm exits) must not kill the relay mid-commit.
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      console.log('meow-relay: stopping');
      void running.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
