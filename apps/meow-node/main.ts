/**
 * `meow-node [--config FILE] [--data-dir DIR]`: runs a mesh node until
 * SIGINT/SIGTERM, then shuts down cleanly (links closed, store checkpointed).
 * With no config file the embedded defaults apply: UDP + mDNS on the LAN,
 * data in ./.meow-data, no radio needed.
 */
import { parseArgs } from 'node:util';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { ConfigError, loadConfig, type NodeConfig } from './config.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { type MeshNode, startMeshNode } from './mesh-node.ts';
import { openLoRaFromConfig } from './open-lora.ts';
import { type StatusServer, startStatusServer } from './status-server.ts';

/** The message of an error, without the "Error: Error:" nesting some libraries produce. */
function describeStartError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^(Error: )+/, '');
}

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
  try {
    status = await startStatusServer(config.status.host, config.status.port, () => node.status());
  } catch (error) {
    process.stderr.write(`meow-node: cannot open the status endpoint on ${config.status.host}:${config.status.port}: ${describeStartError(error)}\n`);
    await node.stop();
    return 1;
  }
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
