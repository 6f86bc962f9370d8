/**
 * `npm run sim -- --nodes 100 --loss 0.1 --seed 1 [--messages N (default: one per node per hour, at most 200 an hour)] [--broadcasts N]
 *   [--duration SECONDS] [--degree D] [--layout random|chain|clusters|field] [--topology FILE] [--routers meow,naive-flood] [--json]
 *   [--hostile N] [--hostile-kinds flooder,poisoner,replayer,forger]`
 *
 * Runs the same traffic over the same topology with our router ("meow"),
 * naive flooding and Meshtastic-style managed flooding, and prints for each
 * the delivery ratios, latency, cost per delivered message and channel use
 * (scripts/sim/metrics.ts defines each figure). --json prints one JSON
 * object per line per router.
 */
import { parseArgs } from 'node:util';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { memoizedSuite } from './memo-suite.ts';
import { readTopologyFile } from '../../hardware/radio-sim/topology.ts';
import { formatTable, toJsonLine } from './report.ts';
import { ROUTER_KINDS, runScenario, type RouterKind } from './run.ts';
import { HOSTILE_KINDS, type HostileKind } from './hostile.ts';
import { LAYOUT_KINDS, type LayoutKind } from './layouts.ts';
import { buildScenario } from './scenario.ts';

const DEFAULT_MESH_MESSAGES_PER_HOUR = 200;

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    loss: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    messages: { type: 'string' },
    broadcasts: { type: 'string' },
    duration: { type: 'string', default: '3600' },
    degree: { type: 'string', default: '12' },
    topology: { type: 'string' },
    layout: { type: 'string', default: 'random' },
    hostile: { type: 'string', default: '0' },
    'hostile-kinds': { type: 'string', default: HOSTILE_KINDS.join(',') },
    routers: { type: 'string', default: ROUTER_KINDS.join(',') },
    json: { type: 'boolean', default: false },
  },
});

function num(name: string, text: string | undefined, min: number, max: number): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < min || v > max) {
    console.error(`--${name} must be a number in [${min}, ${max}], got ${text}`);
    process.exit(2);
  }
  return v;
}

const topology = values.topology ? readTopologyFile(values.topology) : undefined;
const nodes = topology ? topology.nodes.length : num('nodes', values.nodes, 2, 100_000);
// Default traffic: each node sends one direct message per hour, capped at 200
// an hour for the whole mesh (about what one LongFast channel shared by a
// large mesh carries routed: docs/BENCHMARKS.md section router), and one
// broadcast per 50 messages.
const durationS = num('duration', values.duration, 1, 7 * 86_400);
const messages = values.messages !== undefined
  ? num('messages', values.messages, 0, 1e7)
  : Math.round((Math.min(nodes, DEFAULT_MESH_MESSAGES_PER_HOUR) * durationS) / 3600);
const broadcasts = values.broadcasts !== undefined ? num('broadcasts', values.broadcasts, 0, 1e6) : Math.max(1, Math.round(messages / 50));
const routers = (values.routers ?? '').split(',').map((r) => r.trim()) as RouterKind[];
for (const r of routers) {
  if (!ROUTER_KINDS.includes(r)) {
    console.error(`unknown router "${r}" (${ROUTER_KINDS.join(', ')})`);
    process.exit(2);
  }
}

const layout = values.layout as LayoutKind;
if (!LAYOUT_KINDS.includes(layout)) {
  console.error(`unknown layout "${values.layout}" (${LAYOUT_KINDS.join(', ')})`);
  process.exit(2);
}

const hostileKinds = (values['hostile-kinds'] ?? '').split(',').map((k) => k.trim()) as HostileKind[];
for (const k of hostileKinds) {
  if (!HOSTILE_KINDS.includes(k)) {
    console.error(`unknown hostile kind "${k}" (${HOSTILE_KINDS.join(', ')})`);
    process.exit(2);
  }
}
const hostileCount = num('hostile', values.hostile, 0, 10_000);

// Pure public-key operations remembered across the simulated nodes (memo-suite.ts): same results, less time.
const suite = memoizedSuite(createNodeSuite());
const options = {
  nodes, loss: num('loss', values.loss, 0, 1), seed: num('seed', values.seed, 0, 2 ** 31), directMessages: messages, broadcasts,
  durationMs: durationS * 1000, layout, meanDegree: num('degree', values.degree, 1, 1000), ...(topology && { topology }),
};
const scenario = buildScenario({ ...options, hostile: { count: hostileCount, kinds: hostileKinds } }, suite);
// With hostile nodes, each router also runs the same scenario without them, for the clean figures beside.
const cleanScenario = hostileCount > 0 ? buildScenario(options, suite) : undefined;

const reports = [];
for (const r of routers) {
  const clean = cleanScenario ? runScenario(r, cleanScenario, suite) : undefined;
  const report = runScenario(r, scenario, suite);
  if (clean) report.clean = { directDelivery: clean.directDelivery, latencyP50Ms: clean.latencyP50Ms, latencyP95Ms: clean.latencyP95Ms };
  reports.push(report);
  if (values.json) console.log(toJsonLine(report));
}
if (!values.json) console.log(formatTable(reports, scenario));
