/**
 * `npx tsx scripts/sim/why.ts --seed S --to NODE [--from SEC] [--until SEC] [--layout L] [--hostile N] [--hostile-kinds K]`
 *
 * Every frame put on air for one destination (data, route requests and
 * their kind, the destination's acks) in a time window of a 100-node run of
 * our router, with its sender (node index or hostile-k and kind), hops and
 * relay hints, and whether the destination decoded a link from the sender:
 * where a lost message died (docs/BENCHMARKS.md, issue 9 rounds).
 */
import { parseArgs } from 'node:util';
import { toHex } from '../../protocol/codec/bytes.ts';
import { decodeFrame } from '../../protocol/mesh/frame.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import type { RadioMedium } from '../../hardware/radio-sim/medium.ts';
import { HOSTILE_KINDS, type HostileKind } from './hostile.ts';
import type { LayoutKind } from './layouts.ts';
import { memoizedSuite } from './memo-suite.ts';
import { runScenario } from './run.ts';
import { buildScenario } from './scenario.ts';

const { values } = parseArgs({ options: {
  seed: { type: 'string', default: '1' }, to: { type: 'string', default: '0' }, from: { type: 'string', default: '0' }, until: { type: 'string', default: '1e9' },
  layout: { type: 'string', default: 'random' }, hostile: { type: 'string', default: '5' }, 'hostile-kinds': { type: 'string', default: HOSTILE_KINDS.join(',') },
  nodes: { type: 'string', default: '100' }, duration: { type: 'string', default: '3600' },
} });
const nodes = Number(values.nodes); const durationS = Number(values.duration);
const messages = Math.round((Math.min(nodes, 200) * durationS) / 3600);
const suite = memoizedSuite(createNodeSuite());
const s = buildScenario({
  nodes, loss: 0.1, seed: Number(values.seed), directMessages: messages, broadcasts: Math.max(1, Math.round(messages / 50)), durationMs: durationS * 1000,
  layout: values.layout as LayoutKind, hostile: { count: Number(values.hostile), kinds: (values['hostile-kinds'] as string).split(',') as HostileKind[] },
}, suite);
const to = Number(values.to);
const toId = s.topology.nodes[to]!.id;
const destHint = ((s.identities[to]!.nodeId[0] as number) << 8) | (s.identities[to]!.nodeId[1] as number);
const name = new Map<string, string>();
s.topology.nodes.forEach((n, i) => name.set(n.id, `n${i}/${(s.identities[i]!.nodeId[0] as number).toString(16)}`));
s.hostile.forEach((h, k) => name.set(`hostile-${k}`, `H${k}:${h.kind}/${(0xff - (k % 64)).toString(16)}`));
const t0 = Number(values.from) * 1000; const t1 = Number(values.until) * 1000;
const KINDS = ['data', 'frag', 'ack', 'fragreq', 'announce', 'rreq', 'sdata'];
let medium: RadioMedium | undefined;
runScenario('meow', s, suite, undefined, undefined, undefined, (m) => {
  medium = m;
  const transmit = m.transmit.bind(m);
  m.transmit = (id, bytes, onDone) => {
    const info = transmit(id, bytes, onDone);
    if (info.startMs >= t0 && info.startMs <= t1) {
      const d = decodeFrame(bytes, 255);
      if (d.ok && d.value.destHint === destHint) {
        const f = d.value;
        const hearsIt = id === toId ? 'self' : medium?.linkBudget(id, toId)?.decodable ? 'dest hears' : '';
        console.log(`${(info.startMs / 1000).toFixed(1).padStart(7)} ${(name.get(id) ?? id).padEnd(18)} ${KINDS[f.kind]} ${f.routed ? 'routed' : 'flood '} a${f.attempt} id ${f.frameId.toString(16).padStart(8, '0')} hops ${f.hops}/${f.limit} route ${toHex(f.route)} ${hearsIt}`);
      }
    }
    return info;
  };
});
