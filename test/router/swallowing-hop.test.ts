/**
 * A black hole beside the sender (issue 9, the hostile simulator's poisoner
 * as first hop of a learned route): it rebroadcasts route requests at once
 * and carries acks, so the route the sender learns goes through it, and it
 * swallows the routed message. The sender proves it first-hand (its own
 * sends and hop retries, never carried on) and takes no further attempt
 * through it, however long the path: before, the blame of an end-to-end
 * timeout was shared by the path's relays and the same route was tried twice.
 */
import { describe, expect, it } from 'vitest';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame } from '../../protocol/mesh/frame.ts';
import { relayHintOf } from '../../protocol/mesh/node-id.ts';
import { filteringLink, makeMesh, settle, text } from './mesh-harness.ts';

describe('router: a first hop that swallows routed data', () => {
  it('is not used again after one attempt: the next attempt goes around it', async () => {
    // 0 - 1 - 5 - 4 (1 swallows routed data) and 0 - 2 - 3 - 4.
    const ids: Uint8Array[] = [];
    const swallowedAttempts: number[] = [];
    const m = makeMesh({
      nodes: 6, links: [[0, 1], [1, 5], [5, 4], [0, 2], [2, 3], [3, 4]],
      wrapLink: (i, link) => {
        if (i === 1) {
          return filteringLink(link, (rx) => {
            const f = decodeFrame(rx.bytes);
            const mine = f.ok && f.value.routed && f.value.hops < f.value.limit && f.value.route[f.value.hops] === relayHintOf(ids[1]!);
            const data = f.ok && (f.value.kind === FrameKind.data || f.value.kind === FrameKind.sourcedData);
            if (mine && data && f.ok) swallowedAttempts.push(f.value.attempt);
            return mine && data;
          });
        }
        // 4 hears requests only through 1 (the hole is always first): no second reply along 2 - 3 rescues the message.
        if (i === 4) {
          return filteringLink(link, (rx) => {
            const f = decodeFrame(rx.bytes);
            return f.ok && f.value.kind === FrameKind.routeRequest && f.value.route.includes(relayHintOf(ids[3]!));
          });
        }
        return link;
      },
    });
    ids.push(...m.ids);
    const outcome = await settle(m, m.routers[0]!.sendDirect(m.ids[4]!, text('around the hole')));
    expect(outcome.ok).toBe(true);
    expect(m.delivered[4]!.map((d) => new TextDecoder().decode(d.envelope))).toEqual(['around the hole']);
    // One attempt went into the hole (its send and three hop retries: the first
    // request went unanswered, the second's reply came through the hole); the
    // next was flooded around it.
    expect(swallowedAttempts).toEqual([1, 1, 1, 1]);
    expect(m.routers[0]!.stats().counters.retries).toBe(2);
    // The route through the hole is not kept.
    expect(m.routers[0]!.stats().routes.some((r) => r.path.startsWith(relayHintOf(m.ids[1]!).toString(16).padStart(2, '0')))).toBe(false);
  });
});
