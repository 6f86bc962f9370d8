/**
 * A source that sends a message straight to a neighbour destination and
 * loses that copy tries again after about two ack times, not after a
 * relay's hop wait of eight frame times: where everyone hears everyone this
 * wait was the whole latency tail (docs/BENCHMARKS.md, "The field's tail").
 * Later tries wait longer (three times each), up to the full hop wait.
 */
import { describe, expect, it } from 'vitest';
import { isDataKind } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame } from '../../protocol/mesh/frame.ts';
import { filteringLink, makeMesh, settle, text } from './mesh-harness.ts';

function meshDroppingFirstCopies(copiesLost: number) {
  const dataSeenAt: number[] = [];
  const dataBytes: number[] = [];
  const m = makeMesh({
    seed: 2, nodes: 2, links: [[0, 1]],
    wrapLink: (i, link) => (i !== 1 ? link : filteringLink(link, (rx) => {
      const f = decodeFrame(rx.bytes);
      if (!f.ok || !isDataKind(f.value.kind)) return false;
      dataSeenAt.push(m.clock.now());
      dataBytes.push(rx.bytes.length);
      return dataSeenAt.length <= copiesLost;
    })),
  });
  return { m, dataSeenAt, dataBytes };
}

describe('router: a lost copy to a neighbour destination', () => {
  it('is sent again after two ack times, then three times longer each try', async () => {
    const { m, dataSeenAt, dataBytes } = meshDroppingFirstCopies(2);
    const outcome = await settle(m, m.routers[0]!.sendDirect(m.ids[1]!, text('right beside you')));
    expect(outcome.ok).toBe(true);
    expect(m.delivered[1]!.map((d) => new TextDecoder().decode(d.envelope))).toEqual(['right beside you']);
    expect(dataSeenAt).toHaveLength(3);
    const c = m.routers[0]!.stats().counters;
    expect(c.hopRetransmits).toBe(2);
    expect(c.retries).toBe(0);
    const gaps = [dataSeenAt[1]! - dataSeenAt[0]!, dataSeenAt[2]! - dataSeenAt[1]!];
    // Between two copies heard: the second copy's own time on air, the wait, and listen-before-talk.
    const air = m.links[0]!.airtimeMs(dataBytes[1]!);
    const ack = m.links[0]!.airtimeMs(24);
    const lbtSlack = 400;
    expect(gaps[0]).toBeLessThan(air + 2 * ack + 200 + lbtSlack);
    // The relay's hop wait (eight frame times) is what it was before: 5.6 s here.
    expect(gaps[0]).toBeLessThan(8 * m.links[0]!.airtimeMs(dataBytes[0]!) / 2);
    expect(gaps[1]).toBeGreaterThan(air + 3 * (2 * ack + 200));
    // (times 1 + 4 x the channel use this node measured: its own copies so far.)
    expect(gaps[1]).toBeLessThan(air + 1.2 * 3 * (2 * ack + 200) + lbtSlack);
  });
});
