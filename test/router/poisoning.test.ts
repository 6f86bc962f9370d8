/**
 * Route poisoning (issue 9 item 3): the relay hints and hop count of a
 * flood are outside the frame MAC, and on the public network key anyone
 * can make a frame id. A node off the path must not draw traffic through
 * itself, and frames "from nowhere" must not fill the tables.
 */
import { describe, expect, it } from 'vitest';
import { computeFrameId, defaultMeshKey } from '../../protocol/mesh/frame-auth.ts';
import { BROADCAST_HINT, FrameKind } from '../../protocol/mesh/frame-types.ts';
import { encodeFrame, type FrameFields } from '../../protocol/mesh/frame.ts';
import { destHintOf, relayHintOf } from '../../protocol/mesh/node-id.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { line, makeMesh, suite, text } from './mesh-harness.ts';

const meshKey = defaultMeshKey(suite);
const ROGUE_HINT = 0xee;

function frame(fields: FrameFields): Uint8Array {
  return encodeFrame(fields, computeFrameId(suite, meshKey, fields));
}

describe('router: routes are learned only when proven', () => {
  it('a rogue off the path claiming a one-hop path to the destination draws no traffic', async () => {
    // 0 - 1 - 2 - 3; the rogue is heard by 0 only and cannot reach 3.
    const m = makeMesh({ nodes: 4, links: line(4), rogueHeardBy: [0] });
    const dest = destHintOf(m.ids[3]!);
    // "A flood from 3 that came through me": source 3, one relay hint, the rogue's.
    for (let k = 0; k < 5; k++) {
      m.rogue(frame({
        kind: FrameKind.data, limit: 8, hops: 1, routed: false, destHint: BROADCAST_HINT, sourceHint: dest,
        route: new Uint8Array([ROGUE_HINT]), payload: text(`lure ${k}`),
      }));
      m.run(2_000);
    }
    expect(m.routers[0]!.stats().routes).toEqual([]);
    const sent = m.routers[0]!.sendDirect(m.ids[3]!, text('for 3'));
    m.run(120_000);
    await sent;
    const route = m.routers[0]!.stats().routes.find((r) => r.destHint === dest);
    // The proven route is the real one, through 1 and 2, never through the rogue.
    expect(route?.source).toBe('ack');
    expect(route?.path).toBe([1, 2].map((i) => relayHintOf(m.ids[i]!).toString(16).padStart(2, '0')).join(''));
    expect(m.delivered[3]!.filter((d) => !d.meta.broadcast).length).toBe(1);
  });

  it('a routed message teaches the way back only along a path this node answered a route request on', () => {
    const m = makeMesh({ nodes: 2, links: line(2), rogueHeardBy: [1] });
    // The rogue "delivers" a routed message to 1 as if it came from node 0 through it.
    m.rogue(frame({
      kind: FrameKind.data, limit: 1, hops: 1, routed: true, destHint: destHintOf(m.ids[1]!), route: new Uint8Array([ROGUE_HINT]), payload: text('via me'),
    }));
    m.run(5_000);
    expect(m.delivered[1]!.length).toBe(1);
    expect(m.routers[1]!.stats().routes).toEqual([]);
  });

  it('random frames from nowhere teach no route and cannot push real neighbours out', () => {
    // 2 talks to 0 through 1: node 0 hears 1 relay several frames (a settled neighbour).
    const m = makeMesh({ nodes: 3, links: line(3), rogueHeardBy: [0] });
    for (let k = 0; k < 3; k++) {
      void m.routers[2]!.sendDirect(m.ids[0]!, text(`hello ${k}`));
      m.run(30_000);
    }
    expect(m.routers[0]!.stats().neighbours.find((n) => n.hint === relayHintOf(m.ids[1]!))?.frames).toBeGreaterThanOrEqual(3);
    const real = relayHintOf(m.ids[1]!);
    const random = new SeededRandom('poison');
    for (let k = 0; k < 600; k++) {
      const hops = 1 + random.int(6);
      m.rogue(frame({
        kind: FrameKind.data, limit: 8, hops, routed: false, destHint: BROADCAST_HINT, sourceHint: random.int(0xfffe),
        route: random.bytes(hops), payload: random.bytes(8),
      }));
      m.run(600);
    }
    const s = m.routers[0]!.stats();
    // The one route node 0 holds is the proven way back to node 2.
    expect(s.routes.map((r) => r.destHint)).toEqual([destHintOf(m.ids[2]!)]);
    expect(s.neighbours.length).toBeLessThanOrEqual(64);
    expect(s.neighbours.some((n) => n.hint === real)).toBe(true);
  });
});
