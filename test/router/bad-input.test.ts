import { describe, expect, it } from 'vitest';
import { computeFrameId, defaultMeshKey } from '../../protocol/mesh/frame-auth.ts';
import { BROADCAST_HINT, FrameKind } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame, encodeFrame, type FrameFields } from '../../protocol/mesh/frame.ts';
import { destHintOf } from '../../protocol/mesh/node-id.ts';
import { FuzzBytes } from '../mesh/fuzz-helpers.ts';
import { line, makeMesh, suite, text } from './mesh-harness.ts';

const meshKey = defaultMeshKey(suite);

function frame(fields: FrameFields, key = meshKey): Uint8Array {
  return encodeFrame(fields, computeFrameId(suite, key, fields));
}

describe('router: malformed, oversized, forged and replayed frames', () => {
  it('drops and counts forged frames (wrong MAC, other network key), delivers nothing, never crashes', () => {
    const m = makeMesh({ nodes: 2, links: line(2), rogueHeardBy: [0] });
    const to0: FrameFields = { kind: FrameKind.data, limit: 0, routed: true, destHint: destHintOf(m.ids[0]!), route: new Uint8Array(0), payload: text('forged') };
    const good = frame(to0);
    const wrongMac = good.slice();
    wrongMac[7] = (wrongMac[7] as number) ^ 1;
    m.rogue(wrongMac);
    m.run(5_000);
    m.rogue(frame(to0, new Uint8Array(32).fill(1)));
    m.run(5_000);
    const c = m.routers[0]!.stats().counters;
    expect(c.forged).toBe(2);
    expect(m.delivered[0]!.length).toBe(0);
    // The real frame still gets through afterwards: forged copies were never cached.
    m.rogue(good);
    m.run(5_000);
    expect(m.delivered[0]!.length).toBe(1);
  });

  it('verifies duplicates too: a forged copy reusing a seen frame id is counted forged, not acted on (review S1)', () => {
    const m = makeMesh({ nodes: 2, links: line(2), rogueHeardBy: [0] });
    const to0: FrameFields = { kind: FrameKind.data, limit: 0, routed: true, destHint: destHintOf(m.ids[0]!), route: new Uint8Array(0), payload: text('real') };
    const good = frame(to0);
    m.rogue(good);
    m.run(5_000);
    const before = m.routers[0]!.stats().counters;
    const forgedCopy = good.slice();
    forgedCopy[forgedCopy.length - 1] = (forgedCopy[forgedCopy.length - 1] as number) ^ 0x55; // same id, other payload
    m.rogue(forgedCopy);
    m.run(5_000);
    const after = m.routers[0]!.stats().counters;
    expect(after.forged).toBe(before.forged + 1);
    expect(after.duplicates).toBe(before.duplicates);
    expect(m.delivered[0]!.length).toBe(1);
  });

  it('drops replays of a captured frame as duplicates: delivered once, no relay storm', () => {
    const m = makeMesh({ nodes: 3, links: line(3), rogueHeardBy: [0, 1] });
    const bcast = frame({ kind: FrameKind.data, limit: 4, routed: false, destHint: BROADCAST_HINT, sourceHint: 0x7777, payload: text('alert') });
    for (let i = 0; i < 5; i++) {
      m.rogue(bcast);
      m.run(20_000);
    }
    for (const n of [0, 1, 2]) expect(m.delivered[n]!.length).toBe(1);
    expect(m.routers[0]!.stats().counters.duplicates).toBeGreaterThanOrEqual(4);
    expect(m.routers[1]!.stats().counters.relayed + m.routers[0]!.stats().counters.relayed).toBeLessThanOrEqual(2);
  });

  it('counts malformed and oversized frames and survives 2,000 random frames on air', () => {
    const m = makeMesh({ nodes: 2, links: line(2), rogueHeardBy: [0] });
    m.rogue(new Uint8Array([0xe0, 0, 0, 0, 0, 0, 0, 0])); // kind 7
    m.run(2_000);
    m.rogue(new Uint8Array(3));
    m.run(2_000);
    m.rogue(new Uint8Array(300));
    m.run(5_000);
    const c = m.routers[0]!.stats().counters;
    expect(c.malformed).toBe(2);
    expect(c.oversized).toBe(1);
    const fuzz = new FuzzBytes(9);
    const valid = frame({ kind: FrameKind.ack, limit: 0, routed: true, destHint: 1, route: new Uint8Array(0), payload: new Uint8Array(8) });
    for (let i = 0; i < 2000; i++) {
      m.rogue(i % 2 ? fuzz.bytes(1 + fuzz.int(80)) : fuzz.mutate(valid));
      m.run(3_000);
    }
    const after = m.routers[0]!.stats().counters;
    expect(after.malformed + after.forged + after.duplicates + after.oversized).toBeGreaterThan(1500);
    // Still works.
    const p = m.routers[1]!.sendDirect(m.ids[0]!, text('still alive'));
    m.run(60_000);
    return p;
  });

  it('refuses an ack from a node that only shares the destination hint (the proof binds the full node id)', async () => {
    const m = makeMesh({ nodes: 2, links: line(2), config: { maxAttempts: 2 } });
    const impostorTarget = m.ids[1]!.slice();
    impostorTarget[7] = (impostorTarget[7] as number) ^ 0xff; // same 16-bit hint as node 1, another node
    const p = m.routers[0]!.sendDirect(impostorTarget, text('for someone else'));
    const settled = p.then(() => 'acked', () => 'failed');
    m.run(600_000);
    expect(await settled).toBe('failed');
    expect(m.routers[1]!.stats().counters.acksSent).toBeGreaterThan(0); // node 1 did answer...
    expect(m.routers[0]!.stats().counters.acked).toBe(0); // ...and was not believed
  });

  it('honours the hop limit: a 2-relay broadcast stops three hops out', () => {
    const m = makeMesh({ nodes: 6, links: line(6), config: { floodHopLimit: 2 } });
    m.routers[0]!.broadcast(text('short range'));
    m.run(120_000);
    expect(m.delivered.map((d) => d.length)).toEqual([0, 1, 1, 1, 0, 0]);
    const d = decodeFrame(frame({ kind: FrameKind.data, limit: 2, hops: 2, routed: false, destHint: BROADCAST_HINT, sourceHint: 1, route: new Uint8Array(2), payload: text('x') }));
    expect(d.ok && d.value.hops).toBe(2);
  });

  it('delivers a broadcast once per node in a dense cluster despite every re-broadcast', () => {
    const links: [number, number][] = [];
    for (let a = 0; a < 6; a++) for (let b = a + 1; b < 6; b++) links.push([a, b]);
    const m = makeMesh({ nodes: 6, links });
    m.routers[2]!.broadcast(text('everyone'));
    m.run(120_000);
    expect(m.delivered.map((d) => d.length)).toEqual([1, 1, 0, 1, 1, 1]);
    const relays = m.routers.reduce((n, r) => n + r.stats().counters.relayed, 0);
    const suppressed = m.routers.reduce((n, r) => n + r.stats().counters.relaysSuppressed, 0);
    expect(relays).toBeLessThan(5); // suppression: not everyone rebroadcast
    expect(relays + suppressed).toBe(5);
  });
});
