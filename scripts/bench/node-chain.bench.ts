/**
 * Whole nodes, like for like: three real `meow-node` processes in a chain
 * over UDP on loopback, A - B - C (A hears only B, C hears only B), region
 * `none` (no LoRa airtime pacing). Between A and B and between B and C sits
 * a counting UDP relay (udp-tap.ts), so the bytes on the wire are counted at
 * the sockets. Traffic: 5-byte texts (32-byte direct envelopes, the size of
 * a sealed 5-byte text; the mesh never opens them) submitted on A's local
 * API (`POST /v1/envelopes`, meshNode = C), each acknowledged end to end by
 * C after it stored it (synchronous=FULL), at a paced rate and then as fast
 * as A takes them; last a flood phase from the in-process source with 64
 * messages in flight.
 *
 * Figures per phase:
 *  - forwarded frames per second at B (router counters routedForwards +
 *    relayed, read from B's status endpoint before and after);
 *  - CPU per forwarded frame at B: B's CPU time (all its threads, from
 *    /proc) over the phase divided by the frames it forwarded (raw), and
 *    the same with B's idle CPU over as long a time subtracted (`.marginal`,
 *    the slope: what forwarding adds; idle is read over 5 s just before),
 *    each against a bare node:dgram forwarder measured the same way at B's
 *    rate in the same run; `.system-share` is the kernel's part (/proc stat);
 *  - `floor.unpaced`: the bare forwarder fed as fast as it passes datagrams
 *    on, what a datagram costs this machine at a high rate;
 *  - delivery: envelopes C stored / envelopes submitted;
 *  - wire bytes per message between A and B, both ways (the data frame,
 *    its end-to-end ack, anything else the nodes sent meanwhile) divided by
 *    the messages delivered, by frame kind.
 * MEOW_BENCH_PROFILE_DIR=DIR writes a V8 CPU profile of B there (--cpu-prof;
 * the profiler's own sampling raises B's idle CPU, so read the figures of a
 * run without it); each phase's window is printed (`profile-window PHASE
 * START END`), for `tsx scripts/bench/node-chain-profile.ts FILE START END`.
 * `npm run bench -- --only node-chain`
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromArgs } from '../../apps/meow-node/main.ts';
import type { NodeConfig } from '../../apps/meow-node/config.ts';
import { startMeshNode, type MeshNode } from '../../apps/meow-node/mesh-node.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { type Benchmark, type BenchContext, withBaseline } from './harness.ts';
import {
  bareForwarderCpu, callApi, type ChainNode, closeApiAgents, type ForwarderCpu, freeUdpPort, processCpuNs, processUserSystemTicks, profileClockUs, systemShare, sleep, startChainNode, statusOf, stopChainNode, waitReady,
} from './node-chain-procs.ts';
import { bothWays, openUdpTap, type TapCounts, type UdpTap } from './udp-tap.ts';

/**
 * Mailboxes the traffic is spread over: C's delivery budget allows 120
 * envelopes per mailbox an hour and 60 new mailboxes, so 7,200 envelopes a run.
 */
const TAGS = 60;
/** Loopback source addresses of the unpaced API sender (the API allows each 50 requests a second, bursts of 200). */
const SOURCES = 8;
const PACED_PER_SECOND = 20;
/** Messages the in-process source keeps in flight (each settles on C's end-to-end ack). */
const LOOPBACK_WINDOW = 16;
/** In flight in the flood phase: as many as B takes, for the slope of B's CPU against frames. */
const FLOOD_WINDOW = 64;
/** B's idle CPU is read over this long before each phase (its timers, housekeeping), to subtract. */
const IDLE_WINDOW_MS = 5000;

interface Chain {
  root: string;
  /** A as a meow-node process, until the loopback phase runs the same node in this process. */
  a: ChainNode;
  aPort: number;
  b: ChainNode;
  c: ChainNode;
  ab: UdpTap;
  bc: UdpTap;
  cNodeId: string;
  tags: string[];
  sent: number;
  inProcessA?: MeshNode;
}

/** Sends message number n; `lane` spreads concurrent senders (API source addresses). */
type Sender = (n: number, lane: number) => Promise<void>;

/** A 5-byte text's direct envelope: 0x11, 6-byte mailbox tag, 3-byte counter, 22 sealed bytes (docs/PROTOCOL.md). */
function text5Envelope(tagHex: string, n: number): Buffer {
  const e = Buffer.alloc(32);
  e[0] = 0x11;
  Buffer.from(tagHex, 'hex').copy(e, 1);
  e.writeUIntBE(n & 0xffffff, 7, 3);
  randomBytes(22).copy(e, 10);
  return e;
}

/** Through A's local API: `POST /v1/envelopes` with meshNode = C (answered once the envelope is on A's disk). */
function apiSender(chain: Chain): Sender {
  return async (n, lane) => {
    const tag = chain.tags[n % TAGS]!;
    const body = { tag, envelope: text5Envelope(tag, n).toString('base64'), meshNode: chain.cNodeId };
    for (;;) {
      const res = await callApi(chain.a, 'POST', '/v1/envelopes', body, `127.0.0.${1 + (lane % SOURCES)}`);
      if (res.status === 201) return;
      if (res.status !== 429) throw new Error(`A refused a submission: ${res.status} ${JSON.stringify(res.json)}`);
      await sleep(50);
    }
  };
}

/** Straight into the router of A run in this process (no API, no submission queue on disk): settles on C's ack. */
function routerSender(chain: Chain, a: MeshNode): Sender {
  const dest = new Uint8Array(Buffer.from(chain.cNodeId, 'hex'));
  return async (n) => {
    await a.router.sendDirect(dest, new Uint8Array(text5Envelope(chain.tags[n % TAGS]!, n))).catch(() => undefined);
  };
}

async function delivered(node: ChainNode): Promise<number> {
  return (await statusOf(node)).router.counters.delivered ?? 0;
}

function forwarded(counters: Record<string, number>): number {
  return (counters.routedForwards ?? 0) + (counters.relayed ?? 0);
}

/** Polls C until `target` more envelopes are stored or nothing new arrives for `quietMs`; the time of the last arrival. */
async function waitDelivered(chain: Chain, from: number, target: number, quietMs: number): Promise<{ count: number; at: number }> {
  let count = 0;
  let at = performance.now();
  for (;;) {
    const now = (await delivered(chain.c)) - from;
    if (now > count) {
      count = now;
      at = performance.now();
    }
    if (count >= target || performance.now() - at > quietMs) return { count, at };
    await sleep(100);
  }
}

function nodeArgs(chain: Pick<Chain, 'root' | 'aPort' | 'ab'>): string[] {
  return ['--data-dir', join(chain.root, 'a'), '--port', String(chain.aPort), '--no-mdns', '--api-port', '0', '--peer', `127.0.0.1:${chain.ab.leftPort}`];
}

async function startChain(root: string, profileDir: string | undefined, started: ChainNode[]): Promise<Chain> {
  const [aPort, bPort, cPort] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
  const ab = await openUdpTap({ leftTarget: aPort, rightTarget: bPort });
  const bc = await openUdpTap({ leftTarget: bPort, rightTarget: cPort });
  const a = startChainNode(root, 'a', aPort, [ab.leftPort]);
  const b = startChainNode(root, 'b', bPort, [ab.rightPort, bc.leftPort], profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []);
  const c = startChainNode(root, 'c', cPort, [bc.rightPort]);
  started.push(a, b, c);
  await Promise.all([waitReady(a), waitReady(b), waitReady(c)]);
  const cNodeId = (await statusOf(c)).nodeId;
  const tags = Array.from({ length: TAGS }, () => randomBytes(6).toString('hex'));
  return { root, a, aPort, b, c, ab, bc, cNodeId, tags, sent: 0 };
}

/** The first message finds the route (route request and reply through B); the run starts once they are delivered. */
async function warmUp(chain: Chain): Promise<void> {
  const before = await delivered(chain.c);
  const send = apiSender(chain);
  for (let i = 0; i < 3; i++) await send(chain.sent++, 0);
  const got = await waitDelivered(chain, before, 3, 90_000);
  if (got.count === 0) throw new Error(`no route from A to C through B after 90 s: ${chain.b.stderr}`);
}

/** A stops as a process and starts again in this process: the same data directory (node key), port and peer. */
async function swapAInProcess(chain: Chain): Promise<MeshNode> {
  await stopChainNode(chain.a);
  const config = configFromArgs(nodeArgs(chain)) as NodeConfig;
  const log = createLogger('error', () => systemClock.now(), () => undefined);
  chain.inProcessA = await startMeshNode({ ...config, region: 'none' }, { clock: systemClock, random: systemRandom, suite: createNodeSuite(), log });
  return chain.inProcessA;
}

interface PhaseResult {
  messages: number;
  delivered: number;
  forwarded: number;
  seconds: number;
  /** B's CPU between the readings before and after the phase, and the wall time between them. */
  cpuNs: number;
  cpuSeconds: number;
  idleNsPerS: number;
  /** Kernel share of B's CPU over the phase. */
  systemShare: number;
  ab: TapCounts;
  bc: TapCounts;
  baseline: ForwarderCpu;
}

function report(ctx: BenchContext, phase: string, r: PhaseResult): void {
  const perFrameUs = r.forwarded ? r.cpuNs / r.forwarded / 1000 : 0;
  const marginalUs = r.forwarded ? Math.max(0, r.cpuNs - r.idleNsPerS * r.cpuSeconds) / r.forwarded / 1000 : 0;
  const per = (bytes: number): number => (r.delivered ? bytes / r.delivered : 0);
  const rate = `bare node:dgram forwarder process, ${Math.round(r.baseline.perSecond)}/s`;
  ctx.report({ name: `node-chain.${phase}.forwarded`, value: r.forwarded / r.seconds, unit: 'frames/s at B' });
  ctx.report(withBaseline(`node-chain.${phase}.cpu-per-frame`, perFrameUs, 'us at B', r.baseline.rawUs, rate));
  ctx.report(withBaseline(`node-chain.${phase}.cpu-per-frame.marginal`, marginalUs, 'us at B, idle subtracted', r.baseline.marginalUs, `${rate}, idle subtracted`));
  ctx.report(withBaseline(`node-chain.${phase}.cpu.system-share`, r.systemShare, 'of B\'s CPU in the kernel', r.baseline.systemShare, 'bare forwarder'));
  ctx.report({ name: `node-chain.${phase}.delivery`, value: r.messages ? r.delivered / r.messages : 0, unit: `share of ${r.messages} messages stored at C` });
  ctx.report({ name: `node-chain.${phase}.frames-per-message`, value: r.delivered ? r.forwarded / r.delivered : 0, unit: 'forwarded at B' });
  for (const [hop, counts] of [['a-b', r.ab], ['b-c', r.bc]] as const) {
    const all = bothWays(counts);
    ctx.report({ name: `node-chain.${phase}.wire.${hop}`, value: per(all.bytes), unit: `bytes per message, both ways (${all.datagrams} datagrams)` });
    for (const kind of ['data', 'ack', 'route-request', 'announce', 'other'] as const) {
      const t = bothWays(counts, kind);
      if (t.datagrams > 0) ctx.report({ name: `node-chain.${phase}.wire.${hop}.${kind}`, value: per(t.bytes), unit: `bytes per message (${t.datagrams} datagrams)` });
    }
  }
}

/** Sends `messages` paced at perSecond, or with `window` senders at once as fast as they are taken. */
async function drive(send: Sender, first: number, messages: number, perSecond: number | undefined, window: number): Promise<void> {
  const t0 = performance.now();
  if (perSecond !== undefined) {
    const sends: Promise<void>[] = [];
    for (let i = 0; i < messages; i++) {
      await sleep(Math.max(0, t0 + (i * 1000) / perSecond - performance.now()));
      sends.push(send(first + i, 0));
    }
    await Promise.all(sends);
    return;
  }
  let next = 0;
  const lane = async (l: number): Promise<void> => {
    while (next < messages) await send(first + next++, l);
  };
  await Promise.all(Array.from({ length: window }, (_, l) => lane(l)));
}

async function runPhase(ctx: BenchContext, chain: Chain, phase: string, send: Sender, messages: number, perSecond: number | undefined, window: number): Promise<void> {
  const pid = chain.b.child.pid!;
  // B's idle CPU rate just before (its timers and housekeeping), to subtract: what B spends whether or not it forwards.
  const idleMs = ctx.quick ? 2000 : IDLE_WINDOW_MS;
  const idle0 = processCpuNs(pid);
  await sleep(idleMs);
  const idleNsPerS = ((processCpuNs(pid) - idle0) * 1000) / idleMs;

  chain.ab.reset();
  chain.bc.reset();
  const bBefore = (await statusOf(chain.b)).router.counters;
  const cBefore = await delivered(chain.c);
  const ticks0 = processUserSystemTicks(pid);
  const cpu0 = processCpuNs(pid);
  const t0 = performance.now();
  const mark0 = profileClockUs();
  const first = chain.sent;
  chain.sent += messages;
  await drive(send, first, messages, perSecond, window);
  const got = await waitDelivered(chain, cBefore, messages, 15_000);
  const cpuNs = processCpuNs(pid) - cpu0;
  const cpuSeconds = (performance.now() - t0) / 1000;
  const ticks1 = processUserSystemTicks(pid);
  // The window in the clock of V8's CPU profiles, for node-chain-profile.ts to summarise B's profile over this phase only.
  if (process.env.MEOW_BENCH_PROFILE_DIR) console.log(`profile-window ${phase} ${mark0} ${profileClockUs()}`);
  const bAfter = (await statusOf(chain.b)).router.counters;
  if (process.env.MEOW_BENCH_VERBOSE) console.log(Object.entries(bAfter).map(([k, v]) => `${k}=${v - (bBefore[k] ?? 0)}`).join(' '));
  const frames = forwarded(bAfter) - forwarded(bBefore);
  const seconds = (got.at - t0) / 1000;
  const ab = chain.ab.counts();
  // The floor on this machine at this moment: a process that only forwards datagrams, as many as B forwarded, at B's rate.
  const baseline = await bareForwarderCpu(Math.min(Math.max(frames, 100), 20_000), 51, Math.max(1, frames / seconds));
  report(ctx, phase, { messages, delivered: got.count, forwarded: frames, seconds, cpuNs, cpuSeconds, idleNsPerS, systemShare: systemShare(ticks0, ticks1), ab, bc: chain.bc.counts(), baseline });
}

const bench: Benchmark = async (ctx) => {
  const root = await mkdtemp(join(tmpdir(), 'meow-node-chain-'));
  const profileDir = process.env.MEOW_BENCH_PROFILE_DIR;
  const started: ChainNode[] = [];
  let chain: Chain | undefined;
  try {
    // The floor of this machine at a high rate: the bare forwarder fed as fast as it passes datagrams on (64 ahead).
    const floor = await bareForwarderCpu(ctx.quick ? 5000 : 20_000, 51, Number.POSITIVE_INFINITY);
    ctx.report({ name: 'node-chain.floor.unpaced', value: floor.marginalUs, unit: `us per datagram, bare forwarder at ${Math.round(floor.perSecond)}/s (raw ${floor.rawUs.toFixed(1)} us, ${Math.round(floor.systemShare * 100)} % in the kernel)` });
    chain = await startChain(root, profileDir, started);
    await warmUp(chain);
    await runPhase(ctx, chain, 'api.paced', apiSender(chain), ctx.quick ? 40 : 200, PACED_PER_SECOND, 1);
    await runPhase(ctx, chain, 'api.unpaced', apiSender(chain), ctx.quick ? 200 : 1000, undefined, 2 * SOURCES);
    const a = await swapAInProcess(chain);
    await runPhase(ctx, chain, 'loopback.paced', routerSender(chain, a), ctx.quick ? 100 : 1000, 200, 1);
    await runPhase(ctx, chain, 'loopback.unpaced', routerSender(chain, a), ctx.quick ? 400 : 1500, undefined, LOOPBACK_WINDOW);
    await runPhase(ctx, chain, 'loopback.flood', routerSender(chain, a), ctx.quick ? 400 : 2500, undefined, FLOOD_WINDOW);
  } finally {
    closeApiAgents();
    await chain?.inProcessA?.stop();
    await Promise.all(started.map(stopChainNode));
    if (chain) {
      await chain.ab.close();
      await chain.bc.close();
    }
    await rm(root, { recursive: true, force: true });
  }
};

export default bench;
