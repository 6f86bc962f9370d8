/**
 * One flood phase of node-chain.bench.ts on its own, for looking into B:
 * meow-node processes B and C (C on /dev/shm by default, so its fsyncs do
 * not bound the chain), A run in this process sending straight into its
 * router with WINDOW messages in flight. Prints B's router counters over
 * the phase and its raw and marginal CPU per forwarded frame (idle over 3 s
 * before). Options (environment):
 *   MEOW_CHAIN_MESSAGES (1500), MEOW_CHAIN_WINDOW (16), MEOW_CHAIN_ROOT (/dev/shm);
 *   MEOW_CHAIN_BIN: another checkout's bin/meow-node.js for B and C (compare versions);
 *   MEOW_CHAIN_B_ARGS: node flags for B (e.g. "--cpu-prof --cpu-prof-dir DIR"; the window is printed);
 *   MEOW_CHAIN_STRACE=FILE: `strace -c -f` on B over the phase (system calls per frame);
 *   MEOW_CHAIN_HEAP=FILE: V8's sampling heap profile of B over the phase (every 512 B, collected
 *     objects included; B runs with --inspect on loopback), and bytes per forwarded frame;
 *   MEOW_CHAIN_BARE=0: skip the baseline (by default, after the phase, bare-forwarder.ts is fed as
 *     many 51-byte datagrams at B's rate, as node-chain.bench.ts does, and the ratio is printed).
 * `tsx scripts/bench/node-chain-flood.ts`
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { configFromArgs } from '../../apps/meow-node/main.ts';
import type { NodeConfig } from '../../apps/meow-node/config.ts';
import { startMeshNode } from '../../apps/meow-node/mesh-node.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { bareForwarderCpu, closeApiAgents, freeUdpPort, processCpuNs, profileClockUs, sleep, startChainNode, statusOf, stopChainNode, waitReady } from './node-chain-procs.ts';
import { openUdpTap } from './udp-tap.ts';

const env = process.env;
const MESSAGES = Number(env.MEOW_CHAIN_MESSAGES ?? 1500);
const WINDOW = Number(env.MEOW_CHAIN_WINDOW ?? 16);
/** C's delivery budget: 120 envelopes per mailbox an hour, 60 new mailboxes. */
const TAGS = 60;

interface HeapNode {
  callFrame: { url: string };
  selfSize: number;
  children: HeapNode[];
}

/** Bytes sampled in all, and under the UDP link (its frames and what they call outside the router, mesh, crypto, scheduler). */
export function heapBytes(head: HeapNode): { total: number; link: number } {
  let total = 0;
  let link = 0;
  const walk = (n: HeapNode, inLink: boolean): void => {
    const url = n.callFrame.url;
    let here = inLink;
    if (url.includes('links/udp/')) here = true;
    else if (/\/(router|mesh|crypto|scheduler|apps|store)\//.test(url)) here = false;
    total += n.selfSize;
    if (here) link += n.selfSize;
    for (const c of n.children) walk(c, here);
  };
  walk(head, false);
  return { total, link };
}

interface SocketLike {
  addEventListener(type: 'open' | 'message', listener: (event: { data?: unknown }) => void): void;
  send(data: string): void;
  close(): void;
}

/**
 * A WebSocket client: Node's own where it has one (22, or 20 with
 * --experimental-websocket), else the `ws` package, which is in
 * node_modules through other packages (only this optional mode needs it).
 */
async function openWebSocket(url: string): Promise<SocketLike> {
  const Native = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  const moduleName = 'ws';
  const Ctor = Native ?? ((await import(moduleName)) as { default: new (url: string) => SocketLike }).default;
  const ws = new Ctor(url);
  await new Promise<void>((resolve) => ws.addEventListener('open', () => resolve()));
  return ws;
}

/** Inspector connections to close at the end (an open one keeps this process alive). */
const sockets: SocketLike[] = [];

/** A minimal DevTools protocol client for B's inspector (only the heap profiler's calls). */
async function inspector(stderr: () => string): Promise<(method: string, params?: object) => Promise<{ result?: { profile?: { head: HeapNode } } }>> {
  let url: string | undefined;
  for (let i = 0; i < 100 && !url; i++, await sleep(50)) url = /ws:\/\/\S+/.exec(stderr())?.[0];
  if (!url) throw new Error('B printed no inspector address');
  const ws = await openWebSocket(url);
  let id = 0;
  const pending = new Map<number, (v: unknown) => void>();
  ws.addEventListener('message', (event) => {
    const reply = JSON.parse(String(event.data)) as { id?: number };
    if (reply.id !== undefined) pending.get(reply.id)?.(reply);
  });
  sockets.push(ws);
  return (method, params = {}) => new Promise((resolve) => {
    pending.set(++id, resolve as (v: unknown) => void);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

const root = await mkdtemp(join(env.MEOW_CHAIN_ROOT ?? '/dev/shm', 'meow-chain-flood-'));
const [aPort, bPort, cPort] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
const ab = await openUdpTap({ leftTarget: aPort, rightTarget: bPort });
const bc = await openUdpTap({ leftTarget: bPort, rightTarget: cPort });
const bArgs = [...(env.MEOW_CHAIN_B_ARGS ?? '').split(' ').filter(Boolean), ...(env.MEOW_CHAIN_HEAP ? ['--inspect=127.0.0.1:0'] : [])];
const entry = env.MEOW_CHAIN_BIN;
const b = startChainNode(root, 'b', bPort, [ab.rightPort, bc.leftPort], bArgs, ...(entry ? [entry] : []));
const c = startChainNode(root, 'c', cPort, [bc.rightPort], [], ...(entry ? [entry] : []));
try {
  await Promise.all([waitReady(b), waitReady(c)]);
  const cId = new Uint8Array(Buffer.from((await statusOf(c)).nodeId, 'hex'));
  const config = configFromArgs(['--data-dir', join(root, 'a'), '--port', String(aPort), '--no-mdns', '--api-port', '0', '--peer', `127.0.0.1:${ab.leftPort}`]) as NodeConfig;
  const a = await startMeshNode({ ...config, region: 'none' }, {
    clock: systemClock, random: systemRandom, suite: createNodeSuite(), log: createLogger('error', () => systemClock.now(), () => undefined),
  });
  const tags = Array.from({ length: TAGS }, () => randomBytes(6));
  const envelope = (n: number): Uint8Array => {
    const e = Buffer.alloc(32);
    e[0] = 0x11;
    tags[n % TAGS]!.copy(e, 1);
    e.writeUIntBE(n, 7, 3);
    randomBytes(22).copy(e, 10);
    return new Uint8Array(e);
  };
  // The route, and one envelope per mailbox, before measuring.
  for (let i = 0; i < TAGS; i++) await a.router.sendDirect(cId, envelope(i));
  const pid = b.child.pid!;
  const forwarded = (s: Awaited<ReturnType<typeof statusOf>>): number => (s.router.counters.routedForwards ?? 0) + (s.router.counters.relayed ?? 0);
  const idle0 = processCpuNs(pid);
  await sleep(3000);
  const idleNsPerMs = (processCpuNs(pid) - idle0) / 3000;
  const before = await statusOf(b);
  const strace = env.MEOW_CHAIN_STRACE ? spawn('strace', ['-c', '-f', '-p', String(pid), '-o', env.MEOW_CHAIN_STRACE], { stdio: 'ignore' }) : undefined;
  if (strace) await sleep(1000);
  const call = env.MEOW_CHAIN_HEAP ? await inspector(() => b.stderr) : undefined;
  await call?.('HeapProfiler.enable');
  await call?.('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
  const cpu0 = processCpuNs(pid);
  const t0 = performance.now();
  const mark0 = profileClockUs();
  let next = TAGS;
  await Promise.all(Array.from({ length: WINDOW }, async () => {
    while (next < MESSAGES + TAGS) await a.router.sendDirect(cId, envelope(next++)).catch(() => undefined);
  }));
  const ms = performance.now() - t0;
  const cpuNs = processCpuNs(pid) - cpu0;
  console.log(`profile-window flood ${mark0} ${profileClockUs()}`);
  const heap = (await call?.('HeapProfiler.stopSampling'))?.result?.profile;
  for (const ws of sockets.splice(0)) ws.close();
  if (strace) {
    strace.kill('SIGINT');
    await new Promise((resolve) => strace.once('exit', resolve));
  }
  const after = await statusOf(b);
  const frames = forwarded(after) - forwarded(before);
  console.log(Object.entries(after.router.counters).map(([k, v]) => [k, v - (before.router.counters[k] ?? 0)]).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(' '));
  console.log(`forwarded ${frames} frames at B in ${(ms / 1000).toFixed(2)} s (${Math.round((frames * 1000) / ms)}/s): `
    + `${(cpuNs / frames / 1000).toFixed(1)} us CPU per frame raw, ${((cpuNs - idleNsPerMs * ms) / frames / 1000).toFixed(1)} us marginal`);
  if (env.MEOW_CHAIN_BARE !== '0') {
    const marginalUs = (cpuNs - idleNsPerMs * ms) / frames / 1000;
    const bare = await bareForwarderCpu(frames, 51, (frames * 1000) / ms);
    console.log(`bare forwarder at ${Math.round(bare.perSecond)}/s: ${bare.rawUs.toFixed(1)} us raw, ${bare.marginalUs.toFixed(1)} us marginal; `
      + `ratio of marginals ${(marginalUs / bare.marginalUs).toFixed(2)}`);
  }
  if (heap && env.MEOW_CHAIN_HEAP) {
    writeFileSync(env.MEOW_CHAIN_HEAP, JSON.stringify(heap));
    const bytes = heapBytes(heap.head);
    console.log(`heap allocated at B: ${Math.round(bytes.total / frames)} B per forwarded frame, ${Math.round(bytes.link / frames)} B of it under the UDP link`);
  }
  await a.stop();
} finally {
  await stopChainNode(b);
  await stopChainNode(c);
  closeApiAgents();
  await ab.close();
  await bc.close();
  await rm(root, { recursive: true, force: true });
}
