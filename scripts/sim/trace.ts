/**
 * `npx tsx scripts/sim/trace.ts --layout clusters --seed 1 [--duration 1800] [--hostile N] [--all]`
 *
 * Per-message trace of our router's direct messages on a 100-node layout
 * (10 % loss): every attempt, ack timeout, route reply and ack the sender
 * logged, and the acks the destination sent meanwhile (DEST lines), for
 * the messages never delivered (with --all, also those slower than 150 s).
 * Shows whether a lost message's route requests died on the way or their
 * replies did (docs/BENCHMARKS.md, "Bridges and last attempts").
 */
import { parseArgs } from 'node:util';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import type { RouterLogger } from '../../node-runtime/router/types.ts';
import type { LayoutKind } from './layouts.ts';
import type { RadioMedium } from '../../hardware/radio-sim/medium.ts';
import { runScenario } from './run.ts';
import { buildScenario } from './scenario.ts';
const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, layout: { type: 'string', default: 'clusters' }, duration: { type: 'string', default: '1800' }, hostile: { type: 'string', default: '0' }, all: { type: 'boolean', default: false } } });
const nodes = 100; const durationS = Number(values.duration);
const messages = Math.round((Math.min(nodes, 200) * durationS) / 3600);
const suite = createNodeSuite();
const s = buildScenario({ nodes, loss: 0.1, seed: Number(values.seed), directMessages: messages, broadcasts: Math.max(1, Math.round(messages / 50)), durationMs: durationS * 1000, layout: values.layout as LayoutKind, hostile: { count: Number(values.hostile), kinds: ['flooder', 'poisoner', 'replayer', 'forger'] } }, suite);
const indexAt = new Map<string, number>();
for (const e of s.traffic) if (e.to !== undefined) indexAt.set(`${e.from}:${e.atMs}`, e.index);
const logs = new Map<string, string[]>(); const keyIdx = new Map<string, number>();
const delivered = new Map<number, number>();
const allAcks: string[] = [];
let medium: RadioMedium | undefined;
runScenario('meow', s, suite, undefined, (node, clock): RouterLogger => ({
  warn: () => {},
  debug(message, f) {
    const k = `${node}:${String(f?.['key'])}`;
    if (message === 'send attempt' && !logs.has(k)) { const i = indexAt.get(`${node}:${clock.now()}`); if (i === undefined) return; keyIdx.set(k, i); logs.set(k, []); }
    if (message === 'ack sent' || message === 'ack forward') { allAcks.push(`${(clock.now() / 1000).toFixed(1)} node ${node} ${message} ${JSON.stringify(f)}`); }
    const l = logs.get(k); if (!l) return;
    l.push(`${(clock.now() / 1000).toFixed(1)} ${message} ${JSON.stringify(f)}`);
  },
}), (index, node, atMs) => { const e = index === undefined ? undefined : s.traffic[index]; if (e?.to === node && !delivered.has(e.index)) delivered.set(e.index, atMs); }, (m) => { medium = m; });
// Hostile nodes in decoding range of a node, with their kinds: whether a lost message's ends sit beside an attacker.
const hostileNear = (node: number | undefined): string => s.hostile.flatMap((h, k) => (node !== undefined && medium?.linkBudget(`hostile-${k}`, s.topology.nodes[node]?.id ?? '')?.decodable ? [h.kind] : [])).join(',') || 'none';
for (const [k, l] of logs) {
  const i = keyIdx.get(k) as number; const e = s.traffic[i];
  const d = delivered.get(i);
  if (d === undefined || (values.all && d - (e?.atMs ?? 0) > 150_000)) { console.log(`--- msg ${i} ${k} -> ${e?.to} start ${((e?.atMs ?? 0) / 1000).toFixed(1)} delivered ${d === undefined ? 'NO' : (d / 1000).toFixed(1)} hostile beside sender: ${hostileNear(e?.from)}, beside destination: ${hostileNear(e?.to)}`); for (const x of l) console.log('  ' + x); const t0 = (e?.atMs ?? 0) / 1000; for (const a of allAcks) { const t = Number(a.split(' ')[0]); if (t >= t0 && t < t0 + 900 && a.includes(`node ${e?.to} ack sent`)) console.log('   DEST ' + a); } }
}
