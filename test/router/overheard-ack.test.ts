/**
 * A source that overhears the destination's ack one hop before its last
 * copy (the relay before last is in its range) must still take the last
 * copy: an ack's header names the acknowledging node, not its receiver.
 * Before the fix the early copy filled the duplicate cache, the last one
 * was dropped as a duplicate, and the reply or ack never settled anything.
 */
import { describe, expect, it } from 'vitest';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame } from '../../protocol/mesh/frame.ts';
import { filteringLink, makeMesh, settle, text } from './mesh-harness.ts';

describe('router: an ack overheard a hop early', () => {
  it('settles the route request and the message from the last copy', async () => {
    // 0 - 1 - 2 - 3, and 0 hears 2 (2 does not hear 0: it drops what 0 sends itself, hop 0, except acks from 3).
    const m = makeMesh({
      seed: 3, nodes: 4, links: [[0, 1], [1, 2], [2, 3], [0, 2]],
      wrapLink: (i, link) => (i !== 2 ? link : filteringLink(link, (rx) => {
        const f = decodeFrame(rx.bytes);
        return f.ok && f.value.hops === 0 && f.value.kind !== FrameKind.ack;
      })),
    });
    const outcome = await settle(m, m.routers[0]!.sendDirect(m.ids[3]!, text('over the shoulder')));
    expect(outcome.ok).toBe(true);
    expect(m.delivered[3]!.map((d) => new TextDecoder().decode(d.envelope))).toEqual(['over the shoulder']);
    const c = m.routers[0]!.stats().counters;
    // The first route request's reply and the first routed attempt's ack both counted: no end-to-end retry.
    expect(c.retries).toBe(0);
    expect(c.acked).toBe(1);
    expect(m.routers[0]!.stats().routes.map((r) => r.source)).toEqual(['ack']);
  });
});
