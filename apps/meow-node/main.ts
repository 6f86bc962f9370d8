/**
 * `meow-node [--config FILE] [--data-dir DIR] [--port N] [--peer HOST:PORT]...`:
 * runs a mesh node until SIGINT/SIGTERM, then shuts down cleanly (links
 * closed, store checkpointed). With no config file the embedded defaults
 * apply: UDP + mDNS on the LAN, data in ./.meow-data, no radio needed.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FlagError, parseFlags } from '../flags.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { applyCommandLine, ConfigError, loadConfig, type NodeConfig } from './config.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { type MeshNode, startMeshNode } from './mesh-node.ts';
import { openLoRaFromConfig } from './open-lora.ts';
import { type StatusServer, startStatusServer } from './status-server.ts';
import { createLocalApi, type LocalApi } from './local-api/index.ts';
import { createNodeScryptKdf } from '../../node-runtime/platform/scrypt-kdf.ts';
import { startWebClient } from './web/start.ts';
import { sensorRoutes } from './sensor-routes.ts';
import { describeStartError } from '../start-errors.ts';

const USAGE = `usage: meow-node [--config FILE] [--data-dir DIR] [--port N] [--peer HOST:PORT]... [--no-mdns]
                 [--api-port N] [--relay URL]... [--log-level LEVEL]

Runs a Meow mesh node. Without --config it uses the embedded defaults:
UDP on port 6369 with mDNS discovery, data in ./.meow-data, region EU868,
the local API (what meow talks to) on 127.0.0.1:8471.

  --config FILE        a JSON configuration merged over the defaults (README.md, "Configuration file")
  --data-dir DIR       where the node keeps its key, store, vault and API token (default ./.meow-data)
  --port N             UDP port of the LAN link (default 6369)
  --peer HOST:PORT     a neighbour's UDP address, repeatable (another node on this machine: 127.0.0.1:PORT)
  --no-mdns            do not look for neighbours on the LAN by mDNS (only the --peer ones)
  --api-port N         port of the local API and status endpoint on 127.0.0.1 (default 8471; 0: any free port)
  --status-port N      the same as --api-port (older name)
  --relay URL          a relay to sync with when online (http://, https://, udp://, mqtt://), repeatable
  --log-level LEVEL    debug, info, warn or error (default info)
  -h, --help           this text

Flags win over the config file. Two nodes on one machine:
  meow-node --data-dir alice --port 6370 --api-port 8472 --peer 127.0.0.1:6371 --no-mdns
  meow-node --data-dir bob   --port 6371 --api-port 8473 --peer 127.0.0.1:6370 --no-mdns`;

const FLAGS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  peer: { type: 'string', multiple: true },
  'no-mdns': { type: 'boolean' },
  'api-port': { type: 'string' },
  'status-port': { type: 'string' },
  relay: { type: 'string', multiple: true },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The configuration from the file and the flags; a string to print (exit 2) when they are wrong, 'help' for --help. */
export function configFromArgs(argv: readonly string[], cwd = process.cwd()): NodeConfig | 'help' {
  const { values } = parseFlags(argv, FLAGS, false);
  if (values.help) return 'help';
  const apiPort = values['api-port'] ?? values['status-port'];
  return applyCommandLine(loadConfig(values.config), {
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    ...(values.port !== undefined ? { port: values.port } : {}),
    ...(values.peer !== undefined ? { peers: values.peer } : {}),
    ...(values['no-mdns'] ? { noMdns: true } : {}),
    ...(apiPort !== undefined ? { apiPort } : {}),
    ...(values.relay !== undefined ? { relays: values.relay } : {}),
    ...(values['log-level'] !== undefined ? { logLevel: values['log-level'] } : {}),
  }, cwd);
}

/**
 * What a person who just ran `npm start` does next, on stdout (the log is JSON on stderr).
 * The API address is also written to <dataDir>/api.url, so that `meow --data-dir DIR` finds
 * this node whatever its port.
 */
function announceReady(config: NodeConfig, apiUrl: string): void {
  writeFileSync(join(config.dataDir, 'api.url'), `${apiUrl}\n`, { mode: 0o600 });
  const rel = relative(process.cwd(), config.dataDir);
  const dataDirFlag = rel === '.meow-data' ? '' : ` --data-dir ${rel.startsWith('..') ? config.dataDir : rel}`;
  process.stdout.write(`meow-node: ready, local API ${apiUrl} (data in ${rel.startsWith('..') ? config.dataDir : rel})
  next, in another terminal of this directory:
    npx meow${dataDirFlag} init                          create your identity (asks for a password)
    npx meow${dataDirFlag} card create NAME --out FILE   invite a contact: hand them FILE
    npx meow${dataDirFlag} card import FILE              answer their invitation, or complete yours
    npx meow${dataDirFlag} chat NAME                     talk (npx meow --help for the rest)
`);
}

export async function main(argv: string[]): Promise<number> {
  let config: NodeConfig;
  try {
    const parsed = configFromArgs(argv);
    if (parsed === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    config = parsed;
  } catch (error) {
    if (error instanceof FlagError) {
      process.stderr.write(`meow-node: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`meow-node: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const log = createLogger(config.log.level, () => systemClock.now());
  let node: MeshNode;
  let status: StatusServer;
  try {
    node = await startMeshNode(config, { clock: systemClock, random: systemRandom, suite: createNodeSuite(), log, openLoRa: openLoRaFromConfig });
  } catch (error) {
    // A link that cannot start (port in use, no UART, unlawful channel), a locked or damaged data directory:
    // one clear line, no stack trace.
    process.stderr.write(`meow-node: cannot start: ${describeStartError(error)}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
  let listenPort = config.status.port;
  const api: LocalApi = createLocalApi({
    dataDir: config.dataDir, suite: createNodeSuite(), random: systemRandom, clock: systemClock, log, port: node.agentPort,
    kdf: createNodeScryptKdf(), listenPort: () => listenPort, social: { mesh: node.router, relays: config.gateway.relays, broadcasters: config.broadcast?.trusted ?? [] },
    extraRoutes: sensorRoutes(node.sensors.collector),
    ...(config.onion ? { agentOptions: { onion: config.onion } } : {}),
  });
  try {
    status = await startStatusServer(config.status.host, config.status.port, () => node.status(), api.handler);
    listenPort = status.port;
  } catch (error) {
    process.stderr.write(`meow-node: cannot open the status endpoint on ${config.status.host}:${config.status.port}: ${describeStartError(error)}\n`);
    await node.stop();
    return 1;
  }
  log.info('status endpoint', { url: `http://${config.status.host}:${status.port}/status` });
  const web = await startWebClient(config.web, { dataDir: config.dataDir, port: node.agentPort, store: node.store, suite: createNodeSuite(), clock: systemClock, random: systemRandom, log, status: () => node.status(), mesh: node.router, relays: config.gateway.relays })
    .catch(async (error: unknown) => {
      process.stderr.write(`meow-node: cannot start the web client: ${describeStartError(error)}\n`);
      return null;
    });
  if (web === null) {
    await status.close();
    await node.stop();
    return 1;
  }
  // `meow status` shows the phones' address: it reads it here (nothing in the status JSON names it).
  rmSync(join(config.dataDir, 'web.url'), { force: true });
  if (web) writeFileSync(join(config.dataDir, 'web.url'), `${web.where.urls.join(' ')}\n`, { mode: 0o600 });
  announceReady(config, `http://${config.status.host.includes(':') ? `[${config.status.host}]` : config.status.host}:${status.port}`);
  await new Promise<void>((resolve) => {
    // Handlers stay installed: a second signal during a slow shutdown (npm forwards
    // SIGTERM, and bin/launch.js sends one more when npm exits) would otherwise
    // take the default action and kill the node before it frees its lock.
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info('stopping', { signal });
      resolve();
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  api.stop();
  await web?.close();
  await status.close();
  await node.stop();
  return 0;
}
