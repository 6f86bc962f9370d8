/**
 * `npx tsx scripts/sim/tail.ts --layout chain --nodes 100 --loss 0.1 --seed 1 [--duration S]`
 *
 * Where our router's slow direct messages lose their time (issue 10). It
 * replays one scenario with the router's debug log and splits the latency
 * of every delivered message into:
 *   routeWait    first send to the route reply (a flooded route request and its routed answer)
 *   lostAttempts time spent in end-to-end attempts that ended in an ack timeout
 *   lastLeg      from the start of the attempt that got through (or the route reply) to delivery:
 *                hops, hop retries, listen-before-talk backoff and queueing behind others
 * and prints the mean of each part over all messages, and over the slowest
 * tenth (the tail), with the attempts, hop retries and deferrals behind them.
 */
import { parseArgs } from 'node:util';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import type { RouterLogger } from '../../node-runtime/router/types.ts';
import { LAYOUT_KINDS, type LayoutKind } from './layouts.ts';
import { runScenario } from './run.ts';
import { buildScenario } from './scenario.ts';

interface Trace { startMs: number; attempts: number; attemptAtMs: number; lostMs: number; routeReplyAtMs?: number; routeWaitMs: number }

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' }, loss: { type: 'string', default: '0.1' }, seed: { type: 'string', default: '1' },
    duration: { type: 'string', default: '3600' }, layout: { type: 'string', default: 'random' },
  },
});
const layout = values.layout as LayoutKind;
if (!LAYOUT_KINDS.includes(layout)) throw new RangeError(`--layout: one of ${LAYOUT_KINDS.join(', ')}`);
const nodes = Number(values.nodes);
const durationS = Number(values.duration);
const messages = Math.round((Math.min(nodes, 200) * durationS) / 3600);
const suite = createNodeSuite();
const s = buildScenario({
  nodes, loss: Number(values.loss), seed: Number(values.seed), directMessages: messages, broadcasts: Math.max(1, Math.round(messages / 50)),
  durationMs: durationS * 1000, layout,
}, suite);

const indexAt = new Map<string, number>();
for (const e of s.traffic) if (e.to !== undefined) indexAt.set(`${e.from}:${e.atMs}`, e.index);
const byKey = new Map<string, Trace>();
const byIndex = new Map<number, Trace>();
const deliveredAt = new Map<number, number>();

const report = runScenario('meow', s, suite, undefined, (node, clock): RouterLogger => ({
  warn: () => {},
  debug(message, f) {
    const now = clock.now();
    const k = `${node}:${String(f?.['key'])}`;
    if (message === 'send attempt') {
      let t = byKey.get(k);
      if (!t) {
        const index = indexAt.get(`${node}:${now}`);
        if (index === undefined) return;
        t = { startMs: now, attempts: 0, attemptAtMs: now, lostMs: 0, routeWaitMs: 0 };
        byKey.set(k, t);
        byIndex.set(index, t);
      }
      t.attempts++;
      t.attemptAtMs = now;
      t.routeReplyAtMs = undefined;
    } else if (message === 'ack timeout') {
      const t = byKey.get(k);
      if (t) t.lostMs += now - t.attemptAtMs;
    } else if (message === 'route reply') {
      const t = byKey.get(k);
      if (t) {
        t.routeReplyAtMs = now;
        t.routeWaitMs += now - t.attemptAtMs;
      }
    }
  },
}), (index, node, atMs) => {
  const e = index === undefined ? undefined : s.traffic[index];
  if (e?.to === node && !deliveredAt.has(e.index)) deliveredAt.set(e.index, atMs);
});

const rows: { total: number; routeWait: number; lost: number; lastLeg: number; attempts: number }[] = [];
for (const [index, at] of deliveredAt) {
  const t = byIndex.get(index);
  if (!t) continue;
  const lastLegFrom = t.routeReplyAtMs ?? t.attemptAtMs;
  // A delivery can precede the ack timeout of an attempt that was in flight: count time once.
  const lastLeg = Math.max(0, at - Math.min(at, lastLegFrom));
  const total = at - t.startMs;
  rows.push({ total, routeWait: Math.min(t.routeWaitMs, total), lost: Math.min(t.lostMs, total), lastLeg, attempts: t.attempts });
}
rows.sort((a, b) => a.total - b.total);
const tail = rows.slice(Math.floor(rows.length * 0.9));
const mean = (xs: typeof rows, f: (r: (typeof rows)[number]) => number): string => (xs.reduce((a, r) => a + f(r), 0) / Math.max(1, xs.length) / 1000).toFixed(1);
const c = report.counters;
console.log(`${layout} ${s.topology.nodes.length} nodes, loss ${values.loss}, seed ${values.seed}: ${rows.length} delivered, p95 ${(report.latencyP95Ms / 1000).toFixed(1)} s`);
console.log('set              n   total s  routeWait s  lostAttempts s  lastLeg s  attempts');
for (const [name, xs] of [['all', rows], ['slowest 10 %', tail]] as const) {
  console.log(`${name.padEnd(14)} ${String(xs.length).padStart(3)} ${mean(xs, (r) => r.total).padStart(9)} ${mean(xs, (r) => r.routeWait).padStart(12)} ${mean(xs, (r) => r.lost).padStart(15)} ${mean(xs, (r) => r.lastLeg).padStart(10)} ${(xs.reduce((a, r) => a + r.attempts, 0) / Math.max(1, xs.length)).toFixed(2).padStart(9)}`);
}
console.log(`hop retransmits ${c['hopRetransmits']}, deferred ${c['hopRetriesDeferred']}, e2e retries ${c['retries']}, route fallbacks ${c['routeFallbacks']}, floods ${c['floods']}, routed forwards ${c['routedForwards']}`);
