/** Shared set-up for the relay tests: temp data dirs, a relay on loopback, TLS material, a broker. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeSuite } from '../../../node-runtime/crypto/node-suite.ts';
import { createRelaySuite } from '../../../gateway/server/crypto/relay-suite.ts';
import { systemClock } from '../../../node-runtime/platform/clock.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import type { RelayLimits } from '../../../gateway/server/config.ts';
import { type RelayServerOptions, type RunningRelay, startRelay } from '../../../gateway/server/relay.ts';
import { connectRelay, type ConnectOptions } from '../../../gateway/client/connect.ts';
import type { RelayClient } from '../../../gateway/client/relay-client.ts';
import { missingTool } from '../../support/required-tool.ts';

/** What meow-relay runs with: the node suite with the relay's cheaper X25519 key import. */
export const suite = createRelaySuite(createNodeSuite());

/** Limits that keep tests fast (small stamps) and deterministic (no surprise rate limits). */
export const TEST_LIMITS: Partial<RelayLimits> = {
  depositStampBits: 8,
  directoryStampBits: 8,
  openBroadcastStampBits: 8,
  perSource: { capacity: 1e9, refillPerSecond: 1e9 },
  perMailbox: { capacity: 1e9, refillPerSecond: 1e9 },
  perMailboxStamped: { capacity: 1e9, refillPerSecond: 1e9 },
};

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `meow-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function startTestRelay(
  name: string, options: Partial<RelayServerOptions> = {},
): Promise<RunningRelay & { dataDir: string; cleanup(): Promise<void> }> {
  const dir = tempDir(name);
  const relay = await startRelay({
    dataDir: dir.path, suite, random: new SeededRandom(`relay-${name}`), clock: systemClock,
    // What apps/meow-relay wires in: catalog peers through the relay client.
    connectPeer: (url, context) => connectRelay(url, context),
    ...options, limits: { ...TEST_LIMITS, ...options.limits },
  });
  return {
    ...relay,
    dataDir: dir.path,
    async cleanup() {
      await relay.close();
      dir.remove();
    },
  };
}

export function clientOptions(seed: string, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { suite, random: new SeededRandom(`client-${seed}`), clock: systemClock, timeoutMs: 10_000, ...extra };
}

export function connect(url: string, seed: string, extra: Partial<ConnectOptions> = {}): Promise<RelayClient> {
  return connectRelay(url, clientOptions(seed, extra));
}

/** A self-signed certificate for 127.0.0.1 made with the system's openssl, or undefined when it is missing. */
export function selfSignedCert(dir: string): { key: string; cert: string } | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestBroker {
  readonly url: string;
  readonly kind: 'mosquitto' | 'aedes';
  close(): Promise<void>;
}

function hasMosquitto(): string | undefined {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto']) {
    try {
      execFileSync(p, ['-h'], { stdio: 'ignore' });
      return p;
    } catch (e) {
      // mosquitto -h exits 3 after printing help: it exists.
      if ((e as { status?: number }).status !== undefined) return p;
    }
  }
  return undefined;
}

/** Starts Debian's mosquitto on a free loopback port with a temp config; aedes in process when it is absent. */
export async function startBroker(prefer: 'mosquitto' | 'aedes' = 'mosquitto'): Promise<TestBroker> {
  const port = await freePort();
  const bin = prefer === 'mosquitto' ? hasMosquitto() : undefined;
  if (prefer === 'mosquitto') missingTool('mosquitto', bin !== undefined, 'the mqtt door contract runs against a real broker');
  if (bin) {
    const dir = tempDir('mosquitto');
    const conf = join(dir.path, 'mosquitto.conf');
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_packet_size 2000000\n`);
    const child: ChildProcess = spawn(bin, ['-c', conf], { stdio: 'ignore' });
    await waitForPort(port);
    return {
      url: `mqtt://127.0.0.1:${port}`, kind: 'mosquitto',
      close: async () => {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
        dir.remove();
      },
    };
  }
  if (prefer === 'mosquitto') console.log('mosquitto not found: using the in-process aedes broker');
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    url: `mqtt://127.0.0.1:${port}`, kind: 'aedes',
    close: () => new Promise((r) => {
      aedes.close(() => server.close(() => r()));
    }),
  };
}

async function waitForPort(port: number): Promise<void> {
  const { connect: tcp } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcp(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`broker did not open port ${port}`);
}
