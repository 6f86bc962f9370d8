/**
 * Salvage (relay.ts): a relay whose next hop twice in a row did not carry
 * its routed data frames on (first-hand: it sent, listened, retried) floods
 * the next such frame on from itself, and the destination's ack comes back
 * along that flood and the routed prefix. Here 2 is a black hole for routed
 * data (it passes replies, acks and floods on, as the simulator's poisoner).
 */
import { describe, expect, it } from 'vitest';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame } from '../../protocol/mesh/frame.ts';
import { relayHintOf } from '../../protocol/mesh/node-id.ts';
import { StalledHops } from '../../node-runtime/router/stalled-hops.ts';
import { filteringLink, line, makeMesh, settle, text } from './mesh-harness.ts';

describe('router: salvage around a next hop that swallows routed data', () => {
  it('floods the message on from the relay before the hole once the hop stalled twice', async () => {
    const ids: Uint8Array[] = [];
    let swallowed = 0;
    const m = makeMesh({
      seed: 4, nodes: 4, links: line(4),
      wrapLink: (i, link) => (i !== 2 ? link : filteringLink(link, (rx) => {
        const f = decodeFrame(rx.bytes);
        const mine = f.ok && f.value.routed && f.value.hops < f.value.limit && f.value.route[f.value.hops] === relayHintOf(ids[2]!);
        const data = f.ok && (f.value.kind === FrameKind.data || f.value.kind === FrameKind.sourcedData);
        if (mine && data) swallowed++;
        return mine && data;
      })),
    });
    ids.push(...m.ids);
    const outcome = await settle(m, m.routers[0]!.sendDirect(m.ids[3]!, text('past the hole')));
    expect(outcome.ok).toBe(true);
    expect(swallowed).toBeGreaterThan(0);
    expect(m.delivered[3]!.map((d) => new TextDecoder().decode(d.envelope))).toEqual(['past the hole']);
    // Node 1 salvaged the second routed attempt; the source needed one end-to-end retry, not two.
    expect(m.routers[1]!.stats().counters.salvaged).toBe(1);
    expect(m.routers[0]!.stats().counters.retries).toBe(1);
    expect(m.routers[0]!.stats().counters.salvaged).toBe(0);
  });

  it('keeps a clean line free of salvage floods', async () => {
    const m = makeMesh({ seed: 4, nodes: 4, links: line(4) });
    const outcome = await settle(m, m.routers[0]!.sendDirect(m.ids[3]!, text('plain')));
    expect(outcome.ok).toBe(true);
    expect(m.routers.map((r) => r.stats().counters.salvaged)).toEqual([0, 0, 0, 0]);
  });
});

describe('StalledHops', () => {
  it('marks a hop after two stalls in a row within the window; progress or time clears it', () => {
    const s = new StalledHops(2, 1000, 2);
    s.note(7, false, 0);
    expect(s.stalled(7, 0)).toBe(false);
    s.note(7, false, 500);
    expect(s.stalled(7, 500)).toBe(true);
    expect(s.stalled(7, 1501)).toBe(false);
    s.note(7, true, 600);
    expect(s.stalled(7, 600)).toBe(false);
    // A stall after the window starts the count again.
    s.note(8, false, 0);
    s.note(8, false, 2000);
    expect(s.stalled(8, 2000)).toBe(false);
    // Bounded: a third hint pushes the oldest out.
    s.note(9, false, 2000);
    s.note(10, false, 2000);
    s.note(10, false, 2001);
    expect(s.stalled(10, 2001)).toBe(true);
  });
});
