/** Route requests: the destination answers with an ack of the request's frame id along the reversed path. */
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { Clock } from '../../../seams/clock.ts';
import { BROADCAST_HINT } from '../../../protocol/mesh/frame-types.ts';
import type { MeshFrame } from '../../../protocol/mesh/frame-types.ts';
import { pathBack, reversed, type RouterIdentity } from '../identity.ts';
import type { Lifecycle } from '../lifecycle.ts';
import type { SeenFrame } from '../seen-frames.ts';
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
  readonly lifecycle: Lifecycle;
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
  private readonly byPath = new Map<string, { sourceHint: number; atMs: number; carried?: boolean }>();
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
    if (!e || nowMs - e.atMs > this.maxAgeMs) return undefined;
    e.carried = true;
    return e.sourceHint;
  }

  /** A routed message came along this answered path. */
  carried(floodRoute: Uint8Array): boolean {
    return this.byPath.get(toHex(floodRoute))?.carried === true;
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
    if (frame.route.length > 0 && frame.sourceHint !== undefined) answerAgainIfSwallowed(d, frame, seen, frame.sourceHint);
  };
}

/**
 * The first copy of a request is the fastest, and a relay that rebroadcasts
 * at once (no contention window) is on its path whatever it then does with
 * data: a black hole that passes acks on and swallows messages answers
 * every route request first. So the destination keeps the first later copy
 * that shares no relay with the answered path, and if no message has come
 * along the answered path by the time one should have, answers again along
 * that one (the requester sends along it at once, outbox.ts). Honest paths
 * deliver in time and cost nothing more. A neighbour's request (no relay)
 * needs none.
 */
function answerAgainIfSwallowed(d: RouteRequestHandlerDeps, frame: MeshFrame, seen: SeenFrame, sourceHint: number): void {
  const first = frame.route.slice();
  let alt: { route: Uint8Array; frameId: number; attempt: number } | undefined;
  seen.altReply = (copy) => {
    if (alt || copy.route.length === 0 || copy.route.some((h) => first.includes(h))) return;
    alt = { route: copy.route.slice(), frameId: copy.frameId, attempt: copy.attempt };
  };
  // The reply's way back and the message's way here, each hop with a recovery's worth of slack.
  const waitMs = 2 * (first.length + 1) * d.forwarder.hopWaitMs(64) + d.cfg.ackSlackMs;
  d.lifecycle.after(waitMs, () => {
    seen.altReply = undefined;
    if (!alt || d.replied.carried(first)) return;
    d.replied.replied(alt.route, sourceHint, d.clock.now());
    d.counters.altReplies++;
    d.sendAck(alt.frameId, reversed(alt.route), alt.attempt);
  });
}
