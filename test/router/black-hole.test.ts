/**
 * A black hole that answers route requests first (issue 9, the hostile
 * simulator's poisoner): it carries replies and acks but swallows routed
 * messages. The destination, having had no message along the path it
 * answered, answers again along a copy that shares no relay with it, and
 * the sender sends along that one at once.
 */
import { describe, expect, it } from 'vitest';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame } from '../../protocol/mesh/frame.ts';
import { relayHintOf } from '../../protocol/mesh/node-id.ts';
import { filteringLink, makeMesh, settle, text } from './mesh-harness.ts';

describe('router: a second route reply around a black hole', () => {
  it('delivers along a disjoint path when the answered one swallows the message', async () => {
    // Seeded keys and timing: in this run the request reaches 4 through 1 first (the case under test).
    const seed = 2;
    // 0 - 1 - 4 (1 swallows routed data) and 0 - 2 - 3 - 4: the request reaches 4 through 1 first.
    const ids: Uint8Array[] = [];
    let swallowed = 0;
    const m = makeMesh({
      seed, nodes: 5, links: [[0, 1], [1, 4], [0, 2], [2, 3], [3, 4]],
      wrapLink: (i, link) => {
        if (i === 1) {
          return filteringLink(link, (rx) => {
            const f = decodeFrame(rx.bytes);
            const mine = f.ok && f.value.routed && f.value.hops < f.value.limit && f.value.route[f.value.hops] === relayHintOf(ids[1]!);
            const data = f.ok && (f.value.kind === FrameKind.data || f.value.kind === FrameKind.sourcedData);
            if (mine && data) swallowed++;
            return mine && data;
          });
        }
        // 3 misses the reply sent through 1 (it would cancel 3's waiting relay of the request, and 4 hear no second copy).
        if (i === 3) {
          return filteringLink(link, (rx) => {
            const f = decodeFrame(rx.bytes);
            return f.ok && f.value.kind === FrameKind.ack && f.value.route.includes(relayHintOf(ids[1]!));
          });
        }
        return link;
      },
    });
    ids.push(...m.ids);
    const outcome = await settle(m, m.routers[0]!.sendDirect(m.ids[4]!, text('around the hole')));
    expect(outcome.ok).toBe(true);
    expect(swallowed).toBeGreaterThan(0);
    expect(m.delivered[4]!.map((d) => new TextDecoder().decode(d.envelope))).toEqual(['around the hole']);
    expect(m.routers[4]!.stats().counters.altReplies).toBe(1);
    const sender = m.routers[0]!.stats();
    expect(sender.counters.altPathRetries).toBe(1);
    // The route kept is the one the message took: through 2 and 3.
    expect(sender.routes.map((r) => r.path)).toEqual([[2, 3].map((i) => relayHintOf(m.ids[i]!).toString(16).padStart(2, '0')).join('')]);
  });
});
