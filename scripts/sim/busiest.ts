/**
 * `npx tsx scripts/sim/busiest.ts --nodes 1000 --loss 0.1 --seed 1 [--layout L] [--duration S] [--router meow]`
 *
 * What fills the busiest minute of the busiest node (issue 10): replays one
 * scenario, records every frame put on air (sender, start, end, frame kind),
 * finds the node whose busiest minute is highest (as the run's "chan peak"),
 * rebuilds that minute from the frames it sent or heard above carrier
 * sense, and splits its busy time by what the frames were: route requests,
 * flooded direct messages, routed direct messages, broadcasts, acks,
 * announces, fragments. It also prints the offered load: the airtime of one
 * frame of each size at the simulated modulation, how many nodes share the
 * busiest node's channel (its collision domain), and how many hops the
 * scenario's messages need.
 */
import { parseArgs } from 'node:util';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import type { RadioMedium } from '../../hardware/radio-sim/medium.ts';
import { LAYOUT_KINDS, type LayoutKind } from './layouts.ts';
import { memoizedSuite } from './memo-suite.ts';
import { ROUTER_KINDS, runScenario, type RouterKind } from './run.ts';
import { buildScenario } from './scenario.ts';

interface OnAir { sender: string; startMs: number; endMs: number; what: string; bytes: number }

const KINDS = ['data', 'fragment', 'ack', 'fragment-request', 'announce', 'route-request', 'origin', 'kind7'];

/** What a meow frame is, from its header (docs/PROTOCOL.md "Frame header"); baselines' frames are all "flood". */
function whatOf(bytes: Uint8Array, router: RouterKind): string {
  if (router !== 'meow') return 'flood (baseline)';
  const kind = KINDS[bytes[0]! >> 5] ?? 'unknown';
  const routed = (bytes[1]! & 0x04) !== 0;
  const dest = (bytes[2]! << 8) | bytes[3]!;
  if (kind === 'data') return dest === 0xffff ? 'broadcast' : routed ? 'direct, routed' : 'direct, flooded';
  return routed ? `${kind}, routed` : kind;
}

/** Busy time of merged intervals within [from, from + window). */
function busyIn(intervals: readonly OnAir[], from: number, windowMs: number): number {
  let busy = 0;
  let until = from;
  for (const i of intervals) {
    const s = Math.max(i.startMs, until);
    const e = Math.min(i.endMs, from + windowMs);
    if (e > s) {
      busy += e - s;
      until = e;
    }
  }
  return busy;
}

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' }, loss: { type: 'string', default: '0.1' }, seed: { type: 'string', default: '1' },
    duration: { type: 'string', default: '3600' }, layout: { type: 'string', default: 'random' }, router: { type: 'string', default: 'meow' },
  },
});
const layout = values.layout as LayoutKind;
if (!LAYOUT_KINDS.includes(layout)) throw new RangeError(`--layout: one of ${LAYOUT_KINDS.join(', ')}`);
const router = values.router as RouterKind;
if (!ROUTER_KINDS.includes(router)) throw new RangeError(`--router: one of ${ROUTER_KINDS.join(', ')}`);
const nodes = Number(values.nodes);
const durationS = Number(values.duration);
const messages = Math.round((Math.min(nodes, 200) * durationS) / 3600);
const suite = memoizedSuite(createNodeSuite());
const scenario = buildScenario({
  nodes, loss: Number(values.loss), seed: Number(values.seed), layout, durationMs: durationS * 1000,
  directMessages: messages, broadcasts: Math.max(1, Math.round(messages / 50)), meanDegree: 12,
}, suite);

const onAir: OnAir[] = [];
const adjacent: number[][] = [];
let medium: RadioMedium | undefined;
const report = runScenario(router, scenario, suite, undefined, undefined, undefined, (m) => {
  medium = m;
  const transmit = m.transmit.bind(m);
  m.transmit = (id, bytes, onDone) => {
    const info = transmit(id, bytes, onDone);
    onAir.push({ sender: id, startMs: info.startMs, endMs: info.endMs, what: whatOf(bytes, router), bytes: bytes.length });
    return info;
  };
});
const m = medium!;
const busiest = m.stats().perNode.reduce((a, b) => (b.channelUsePeak > a.channelUsePeak ? b : a));
const heard = new Set(scenario.topology.nodes.map((n) => n.id).filter((id) => {
  if (id === busiest.id) return true;
  const budget = m.linkBudget(id, busiest.id);
  return budget !== undefined && budget.rssiDbm >= m.carrierSenseThresholdDbm;
}));
const mine = onAir.filter((t) => heard.has(t.sender)).sort((a, b) => a.startMs - b.startMs);
const windowMs = m.channelUseWindowMs;
let best = { from: 0, busy: 0 };
for (const t of mine) {
  for (const from of [t.startMs, t.endMs - windowMs]) {
    const busy = busyIn(mine, from, windowMs);
    if (busy > best.busy) best = { from, busy };
  }
}
const inMinute = mine.filter((t) => t.endMs > best.from && t.startMs < best.from + windowMs);
const byWhat = new Map<string, { frames: number; airMs: number; senders: Set<string> }>();
for (const t of inMinute) {
  const e = byWhat.get(t.what) ?? { frames: 0, airMs: 0, senders: new Set<string>() };
  e.frames++;
  e.airMs += Math.min(t.endMs, best.from + windowMs) - Math.max(t.startMs, best.from);
  e.senders.add(t.sender);
  byWhat.set(t.what, e);
}

console.log(`${nodes} nodes, ${layout}, loss ${values.loss}, seed ${values.seed}, router ${router}: ${report.transmissions} transmissions, chan peak ${(report.channelUsePeak * 100).toFixed(1)} %`);
console.log(`airtime at SF${scenario.modulation.spreadingFactor}/${scenario.modulation.bandwidthHz / 1000} kHz: ${[16, 41, 50, 110, 214].map((b) => `${b} B ${m.airtimeMs(b).toFixed(0)} ms`).join(', ')}`);
console.log(`busiest node ${busiest.id}: hears ${heard.size - 1} nodes above carrier sense; its busiest minute starts at ${(best.from / 1000).toFixed(0)} s (traffic from ${(scenario.warmupMs / 1000).toFixed(0)} s to ${((scenario.warmupMs + scenario.options.durationMs) / 1000).toFixed(0)} s)`);
console.log(`busy ${(best.busy / 1000).toFixed(1)} s of ${windowMs / 1000} s (${((100 * best.busy) / windowMs).toFixed(1)} %; overlapping frames counted once); airtime on air in that minute by kind (overlaps counted in each):`);
const totalAir = [...byWhat.values()].reduce((a, e) => a + e.airMs, 0);
for (const [what, e] of [...byWhat].sort((a, b) => b[1].airMs - a[1].airMs)) {
  console.log(`  ${what.padEnd(22)} ${String(e.frames).padStart(5)} frames from ${String(e.senders.size).padStart(3)} senders  ${(e.airMs / 1000).toFixed(1).padStart(6)} s  ${((100 * e.airMs) / totalAir).toFixed(1).padStart(5)} %`);
}
const hops = scenario.traffic.filter((t) => t.to !== undefined).map((t) => hopCount(t.from, t.to!));
hops.sort((a, b) => a - b);
console.log(`direct messages: ${hops.length}, shortest path hops mean ${(hops.reduce((a, b) => a + b, 0) / Math.max(1, hops.length)).toFixed(1)}, median ${hops[Math.floor(hops.length / 2)]}, max ${hops[hops.length - 1]}`);
const whole = new Map<string, number>();
for (const t of onAir) whole.set(t.what, (whole.get(t.what) ?? 0) + (t.endMs - t.startMs));
console.log(`whole run, airtime by kind (all nodes): ${[...whole].sort((a, b) => b[1] - a[1]).map(([w, ms]) => `${w} ${(ms / 1000).toFixed(0)} s`).join(', ')}`);

/** Shortest path in hops over links that decode (breadth first). */
function hopCount(from: number, to: number): number {
  const dist = new Map<number, number>([[from, 0]]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (at === to) return dist.get(at)!;
    for (const j of adjacency()[at]!) {
      if (dist.has(j)) continue;
      dist.set(j, dist.get(at)! + 1);
      queue.push(j);
    }
  }
  return Number.POSITIVE_INFINITY;
}

function adjacency(): number[][] {
  if (adjacent.length === 0) {
    const ids = scenario.topology.nodes.map((n) => n.id);
    for (const id of ids) adjacent.push(ids.flatMap((o, j) => (o !== id && m.linkBudget(id, o)?.decodable ? [j] : [])));
  }
  return adjacent;
}
