/**
 * `meow-node [--config FILE] [--data-dir DIR]`: runs a mesh node until
 * SIGINT/SIGTERM, then shuts down cleanly (links closed, store checkpointed).
 * With no config file the embedded defaults apply: UDP + mDNS on the LAN,
 * data in ./.meow-data, no radio needed.
 */
import { parseArgs } from 'node:util';
import { createNodeSuite } from '../crypto/node-suite.ts';
import { systemClock } from '../platform/clock.ts';
import { systemRandom } from '../platform/random.ts';
import { ConfigError, loadConfig, type NodeConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startMeshNode } from './mesh-node.ts';
import { openLoRaFromConfig } from './open-lora.ts';
import { startStatusServer } from './status-server.ts';

const USAGE = `usage: meow-node [--config FILE] [--data-dir DIR] [--status-port N]

Runs a Meow mesh node. Without --config it uses the embedded defaults:
UDP on port 6369 with mDNS discovery, data in ./.meow-data, region EU868.
See README.md, "Configuration file".`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, 'data-dir': { type: 'string' }, 'status-port': { type: 'string' }, help: { type: 'boolean' } },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: NodeConfig;
  try {
    config = loadConfig(values.config);
    if (values['data-dir']) config = { ...config, dataDir: values['data-dir'] };
    if (values['status-port']) config = { ...config, status: { ...config.status, port: Number(values['status-port']) } };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const log = createLogger(config.log.level, () => systemClock.now());
  const node = await startMeshNode(config, { clock: systemClock, random: systemRandom, suite: createNodeSuite(), log, openLoRa: openLoRaFromConfig });
  const status = await startStatusServer(config.status.host, config.status.port, () => node.status());
  log.info('status endpoint', { url: `http://${config.status.host}:${status.port}/status` });
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info('stopping', { signal });
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await status.close();
  await node.stop();
  return 0;
}
