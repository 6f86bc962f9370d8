/**
 * relay.http.ops: deposits + fetches per second through the relay's HTTP
 * door with many concurrent clients on loopback, beside a bare node:http
 * server that answers the same requests without work, measured in the same
 * run (issue 4). Each server runs in its own process (this file, started
 * again with MEOW_RELAY_BENCH_SERVER=relay|bare), so the load generator
 * here does not share its CPU time slices. Request frames are sealed and
 * signed before timing: the figure is the server's, not the client's. The
 * bare server answers each request with as many bytes as the relay
 * answered to it, so both do the same HTTP work.
 *
 * relay.http.cpu: CPU time (user + system) each server process spent per
 * request over the timed rounds, read with process.cpuUsage() over IPC. It
 * moves far less than the rate when other jobs load the machine.
 *
 * Knobs, to measure an earlier configuration in the same conditions:
 * MEOW_RELAY_BENCH_SODIUM=0 (node:crypto only), MEOW_RELAY_BENCH_COMMIT_WAIT_MS=0
 * (commit at the end of every event-loop turn). MEOW_BENCH_PROF=1 writes a
 * V8 CPU profile of the relay to /tmp/prof.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './harness.ts';
import { withBaseline } from './harness.ts';

const mode = process.env.MEOW_RELAY_BENCH_SERVER;
const ANSWER_BYTES_PARAM = 'answer=';

interface ServerStats {
  cpuUs: number;
  commits: number;
  committedOps: number;
}

/** Answers the parent's 'stats' messages with this process's CPU time (and the relay's commit counters). */
function answerStats(extra: () => { commits: number; committedOps: number }): void {
  process.on('message', () => {
    const cpu = process.cpuUsage();
    process.send!({ cpuUs: cpu.user + cpu.system, ...extra() } satisfies ServerStats);
  });
}

async function serveBare(): Promise<void> {
  const server = createServer((req, res) => {
    // The answer size the relay gave to this request (see drive()), else 100 bytes.
    const at = req.url?.indexOf(ANSWER_BYTES_PARAM) ?? -1;
    const size = at >= 0 ? Number(req.url!.slice(at + ANSWER_BYTES_PARAM.length)) : 100;
    req.on('data', () => undefined);
    req.on('end', () => {
      const answer = new Uint8Array(size).fill(7);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': answer.length, 'cache-control': 'no-store' });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 30_000;
  answerStats(() => ({ commits: 0, committedOps: 0 }));
  server.listen(0, '127.0.0.1', () => console.log(`PORT ${(server.address() as AddressInfo).port}`));
}

async function serveRelay(): Promise<void> {
  const { startRelay } = await import('../../gateway/server/relay.ts');
  const { SeededRandom } = await import('../../protocol/seeded-random.ts');
  const { dualKeyPairFromSecrets } = await import('../../protocol/keys/keys.ts');
  const { createNodeSuite } = await import('../../node-runtime/crypto/node-suite.ts');
  const { createRelaySuite } = await import('../../gateway/server/crypto/relay-suite.ts');
  const suite = createRelaySuite(createNodeSuite(), process.env.MEOW_RELAY_BENCH_SODIUM === '0' ? { sodium: false } : {});
  const seed = new SeededRandom('relay-bench-key');
  const key = dualKeyPairFromSecrets(suite, 'server', seed.bytes(32), seed.bytes(32));
  const wait = process.env.MEOW_RELAY_BENCH_COMMIT_WAIT_MS;
  const relay = await startRelay({
    // 64 sockets from one loopback address stand for 64 clients: the per-source cap is lifted.
    dataDir: process.env.MEOW_RELAY_BENCH_DIR!, suite, key, http: { port: 0, connections: { maxConnectionsPerSource: 1024 } },
    ...(wait === undefined ? {} : { commitWaitMs: Number(wait) }),
    limits: { depositStampBits: 0, perSource: { capacity: 1e12, refillPerSecond: 1e12 }, perMailbox: { capacity: 1e12, refillPerSecond: 1e12 }, perMailboxStamped: { capacity: 1e12, refillPerSecond: 1e12 } },
  });
  answerStats(() => ({ commits: relay.core.commitStats().commits, committedOps: relay.core.commitStats().ops }));
  // An orderly exit on SIGINT (writes a --cpu-prof profile when profiling the relay).
  process.once('SIGINT', () => void relay.close().then(() => process.exit(0)));
  console.log(`PORT ${relay.doors[0]!.port} ${suite.name}`);
}

if (mode === 'bare') await serveBare();
else if (mode === 'relay') await serveRelay();

interface Child {
  port: number;
  /** A label the server printed after its port (the relay's crypto suite). */
  label: string;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

function startChild(which: 'relay' | 'bare', dataDir: string): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, [...(process.env.MEOW_BENCH_PROF && which === 'relay' ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), '--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, MEOW_RELAY_BENCH_SERVER: which, MEOW_RELAY_BENCH_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+) ?(\S*)\n/.exec(out);
      if (m) resolve({
        port: Number(m[1]),
        label: m[2] ?? '',
        stats: () => new Promise((done) => {
          child.once('message', (s) => done(s as ServerStats));
          child.send('stats');
        }),
        stop: () => new Promise((done) => {
          child.once('exit', () => done());
          child.kill(process.env.MEOW_BENCH_PROF ? 'SIGINT' : 'SIGKILL');
        }),
      });
    });
    child.once('exit', (code) => reject(new Error(`${which} server exited with ${code}`)));
  });
}

function post(agent: Agent, port: number, path: string, frame: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent,
      headers: { 'content-type': 'application/octet-stream', 'content-length': frame.length } }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => { n += c.length; });
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(frame);
  });
}

/**
 * Sends every frame with `concurrency` requests in flight; returns operations
 * per second and the size of each answer. With `answerBytes`, each request
 * asks the bare server for that many bytes back.
 */
async function drive(port: number, frames: readonly Uint8Array[], concurrency: number, answerBytes?: readonly number[]) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const sizes = new Array<number>(frames.length).fill(0);
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < frames.length) {
      const i = next++;
      const path = answerBytes ? `/v1/relay?${ANSWER_BYTES_PARAM}${answerBytes[i]}` : '/v1/relay';
      sizes[i] = await post(agent, port, path, frames[i]!);
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return { rate: frames.length / seconds, sizes };
}

const bench: Benchmark = async (ctx) => {
  const { createNodeSuite } = await import('../../node-runtime/crypto/node-suite.ts');
  const { SeededRandom } = await import('../../protocol/seeded-random.ts');
  const { dualKeyPairFromSecrets, generateLookupKeyPair } = await import('../../protocol/keys/keys.ts');
  const { sealRequest } = await import('../../protocol/server/seal.ts');
  const { encodeRequest, encodeSignedRequest } = await import('../../protocol/server/request-encode.ts');
  const { mailboxTagOf, messageIdOf } = await import('../../protocol/server/mailbox.ts');
  const { systemRandom } = await import('../../node-runtime/platform/random.ts');

  const suite = createNodeSuite();
  const seed = new SeededRandom('relay-bench-key');
  const server = dualKeyPairFromSecrets(suite, 'server', seed.bytes(32), seed.bytes(32)).publicKey;
  const ops = ctx.quick ? 1_500 : 8_000;
  const users = ctx.quick ? 50 : 200;
  const concurrency = 64;
  const rnd = new SeededRandom('relay-bench');
  const lookups = Array.from({ length: users }, () => generateLookupKeyPair(suite, rnd));
  const tags = lookups.map((l) => mailboxTagOf(suite, l.publicKey));
  const seal = (plaintext: Uint8Array) => sealRequest(suite, systemRandom, server, plaintext).frame;

  const registrations = lookups.map((l) => seal(encodeSignedRequest(suite, server.signing, l.secretKey, { kind: 'register', counter: 1 })));
  // Half deposits (100-byte envelopes), half fetches that acknowledge what that user was sent before.
  const pendingIds: Uint8Array[][] = lookups.map(() => []);
  const counters = lookups.map(() => 1);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < ops; i++) {
    const u = i % users;
    if (i % 2 === 0) {
      const to = (u * 7 + i) % users;
      const envelope = rnd.bytes(100);
      pendingIds[to]!.push(messageIdOf(suite, tags[to]!, envelope));
      frames.push(seal(encodeRequest({ kind: 'deposit', tag: tags[to]!, envelope })));
    } else {
      const acks = pendingIds[u]!.splice(0, 64);
      counters[u]! += 1;
      frames.push(seal(encodeSignedRequest(suite, server.signing, lookups[u]!.secretKey, { kind: 'fetch', counter: counters[u]!, limit: 8, acks })));
    }
  }

  const dir = mkdtempSync(join(tmpdir(), 'meow-relay-bench-'));
  const relay = await startChild('relay', dir);
  const bare = await startChild('bare', dir);
  try {
    await drive(relay.port, registrations, 16);
    // Alternate short rounds so that both servers see the same machine conditions.
    const rounds = ctx.quick ? 2 : 4;
    const chunk = Math.floor(frames.length / rounds);
    let relayRate = 0;
    let bareRate = 0;
    await drive(bare.port, frames.slice(0, 200), concurrency); // warm-up
    const relayBefore = await relay.stats();
    const bareBefore = await bare.stats();
    for (let r = 0; r < rounds; r++) {
      const part = frames.slice(r * chunk, (r + 1) * chunk);
      const relayRound = await drive(relay.port, part, concurrency);
      relayRate += relayRound.rate / rounds;
      bareRate += (await drive(bare.port, part, concurrency, relayRound.sizes)).rate / rounds;
    }
    const relayAfter = await relay.stats();
    const bareAfter = await bare.stats();
    const timedOps = rounds * chunk;
    const commits = relayAfter.commits - relayBefore.commits;
    const perCommit = commits === 0 ? 0 : (relayAfter.committedOps - relayBefore.committedOps) / commits;
    ctx.report(withBaseline('relay.http.ops', relayRate, 'ops/s', bareRate,
      `bare node:http, same requests and answer sizes, ${concurrency} concurrent clients; relay suite ${relay.label}, ${perCommit.toFixed(1)} requests per commit`));
    ctx.report(withBaseline('relay.http.cpu', (relayAfter.cpuUs - relayBefore.cpuUs) / timedOps, 'us/op',
      (bareAfter.cpuUs - bareBefore.cpuUs) / timedOps, 'bare node:http, CPU time of the server process per request'));
  } finally {
    await relay.stop();
    await bare.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
