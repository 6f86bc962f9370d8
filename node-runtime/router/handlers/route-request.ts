/** Route requests: the destination answers with an ack of the request's frame id along the reversed path. */
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { Clock } from '../../../seams/clock.ts';
import { BROADCAST_HINT } from '../../../protocol/mesh/frame-types.ts';
import { pathBack, type RouterIdentity } from '../identity.ts';
import type { Forwarder } from '../relay.ts';
import type { RouterConfig, RouterCounters } from '../types.ts';
import type { SendAck } from './ack.ts';
import type { FrameHandler } from './frame-handler.ts';

export interface RouteRequestHandlerDeps {
  readonly identity: RouterIdentity;
  readonly cfg: RouterConfig;
  readonly counters: RouterCounters;
  readonly forwarder: Forwarder;
  readonly sendAck: SendAck;
  readonly replied: RepliedPaths;
  readonly clock: Clock;
}

/**
 * Paths this node answered route requests along, by the request's relay
 * hints, with the requester's hint. The hints are unproven when the reply
 * leaves; when the requester's message then arrives routed along exactly
 * that path, the relays named have carried it end to end, and the way back
 * is proven too (data.ts learns it): a reply needs no route request of its
 * own. A node off the path cannot make a frame arrive through honest relays.
 */
export class RepliedPaths {
  private readonly byPath = new Map<string, { sourceHint: number; atMs: number }>();
  constructor(private readonly maxEntries = 256, private readonly maxAgeMs = 10 * 60_000) {}

  replied(floodRoute: Uint8Array, sourceHint: number, nowMs: number): void {
    // A neighbour's request has no hints: its path would match any neighbour's message.
    if (floodRoute.length === 0) return;
    const key = toHex(floodRoute);
    this.byPath.delete(key);
    if (this.byPath.size >= this.maxEntries) this.byPath.delete(this.byPath.keys().next().value as string);
    this.byPath.set(key, { sourceHint, atMs: nowMs });
  }

  /** The requester whose answered path a routed frame for this node travelled, if any. */
  requesterOf(route: Uint8Array, nowMs: number): number | undefined {
    if (route.length === 0) return undefined;
    const e = this.byPath.get(toHex(route));
    return e && nowMs - e.atMs <= this.maxAgeMs ? e.sourceHint : undefined;
  }
}

export function createRouteRequestHandler(d: RouteRequestHandlerDeps): FrameHandler {
  return (frame, seen, rx) => {
    if (frame.routed || frame.destHint === BROADCAST_HINT) {
      d.counters.malformed++;
      return;
    }
    if (frame.destHint !== d.identity.destHint) {
      // The reply (an ack of this frame id) cancels waiting relays of the request.
      // A repeated request (attempt > 0) was lost once: a relay cancels only
      // after hearing one more copy, so a bridge between dense towns, which
      // hears its own town's relays first, still carries it across.
      const suppressAt = d.cfg.floodSuppressDirect + (frame.attempt > 0 ? 1 : 0);
      d.forwarder.scheduleFloodRelay(frame, seen, rx.snrDb, suppressAt, frame.frameId);
      return;
    }
    const back = pathBack(frame);
    if (frame.sourceHint !== undefined) d.replied.replied(frame.route, frame.sourceHint, d.clock.now());
    seen.reAck = () => d.sendAck(frame.frameId, back, frame.attempt);
    d.sendAck(frame.frameId, back, frame.attempt);
  };
}
