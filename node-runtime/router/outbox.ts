/**
 * Direct messages this node originates: end-to-end acknowledgement, bounded
 * retries, route use and fallback, fragmentation and selective repeat.
 *
 * Attempt k (0-based, at most maxAttempts, carried in the header so each
 * attempt crosses duplicate caches): a known source route is used; a
 * routed attempt that times out drops the route (route failure) and the
 * next attempt floods. The destination's ack returns along the reversed
 * path and teaches this node the route. A fragmented envelope is acked as a
 * whole; a fragment request resends only the fragments it names, each with
 * its own attempt counter (the 2-bit header field bounds it at 4 sends).
 *
 * When this node holds the destination's key, the message carries an
 * origin block (sources.ts) and only the destination's pairwise ack proof
 * settles it: a node that knows the destination's id but not the pair key
 * can no longer cancel the delivery or teach a route with a forged ack.
 */
import { constantTimeEqual, toHex } from '../../protocol/codec/bytes.ts';
import { ackProof } from '../../protocol/mesh/frame-auth.ts';
import { ORIGIN_KEYED_BYTES, pairAckProof } from '../../protocol/mesh/origin.ts';
import { FLOOD_SOURCE_BYTES, FRAME_HEADER_BYTES, FrameKind, MAX_ATTEMPT } from '../../protocol/mesh/frame-types.ts';
import type { FrameFields } from '../../protocol/mesh/frame.ts';
import { encodeFragment, FRAGMENT_HEADER_BYTES, splitEnvelope } from '../../protocol/mesh/fragment.ts';
import { destHintOf } from '../../protocol/mesh/node-id.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { TransmitPriority } from '../scheduler/transmit-queue.ts';
import { RouterError } from './errors.ts';
import { dataMessageKey, reversed, type RouterIdentity } from './identity.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Peer, PeerKeys } from './peer-keys.ts';
import { sealOrigin } from './sources.ts';
import type { Forwarder } from './relay.ts';
import type { HintReputation, RouteTable } from './tables.ts';
import type { Transmitter } from './transmitter.ts';
import type { RouterConfig, RouterCounters, RouterLogger } from './types.ts';

interface Pending {
  readonly destId: Uint8Array;
  readonly destHint: number;
  readonly envelope: Uint8Array;
  /** Ack key: message key (one frame) or message id (fragmented). */
  readonly key: number;
  readonly chunks?: readonly Uint8Array[];
  readonly fragAttempts?: number[];
  readonly priority: TransmitPriority;
  /** The destination's key is known: the message is sourced, and acked only with the pairwise proof. */
  readonly peer?: Peer;
  /** The last attempt carried the short origin form. */
  shortOrigin?: boolean;
  attempts: number;
  routedLast: boolean;
  /** The path of the last routed attempt (for the relays' reputation). */
  lastPath?: Uint8Array;
  /** A route failed: the next attempt floods the envelope, not a route request (which the same relay would answer). */
  floodNext?: boolean;
  routedFailures: number;
  requestId?: number;
  /** Route requests already answered once: a second reply may still come, along a disjoint path. */
  readonly answered: number[];
  timer?: TimerHandle;
  readonly resolve: (id: string) => void;
  readonly reject: (e: Error) => void;
}

const ROUTED_FAILURES_BEFORE_FLOOD = 2;

export interface OutboxDeps {
  readonly identity: RouterIdentity;
  readonly cfg: RouterConfig;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly log: RouterLogger;
  readonly counters: RouterCounters;
  readonly lifecycle: Lifecycle;
  readonly tx: Transmitter;
  readonly forwarder: Forwarder;
  readonly routes: RouteTable;
  readonly reputation: HintReputation;
  /** Most relays any flood crossed before reaching this node (receive.ts FloodDepth). */
  readonly floodDepth: { readonly deepestHops: number };
  readonly peers: PeerKeys;
  readonly ownPublicKey: Uint8Array;
}

export class Outbox {
  private readonly pending = new Map<number, Pending>();
  /** Route requests in flight, by their frame id (the reply acks that id). */
  private readonly routeRequests = new Map<number, Pending>();

  constructor(private readonly d: OutboxDeps) {}

  get size(): number {
    return this.pending.size;
  }

  /** Payload bytes that fit one frame whatever route the message takes. */
  singleFrameCapacity(): number {
    return this.d.tx.mtu - FRAME_HEADER_BYTES - FLOOD_SOURCE_BYTES - this.d.cfg.floodHopLimit;
  }

  send(destId: Uint8Array, envelope: Uint8Array, priority: TransmitPriority, destPublicKey?: Uint8Array): Promise<string> {
    const d = this.d;
    if (destId.length !== 8) return Promise.reject(new RouterError('bad-argument', 'destination node id must be 8 bytes'));
    if (envelope.length === 0) return Promise.reject(new RouterError('bad-argument', 'empty envelope'));
    if (constantTimeEqual(destId, d.identity.nodeId)) return Promise.reject(new RouterError('bad-argument', 'destination is this node'));
    if (envelope.length > d.cfg.maxEnvelopeBytes) {
      return Promise.reject(new RouterError('envelope-too-large', `envelope of ${envelope.length} bytes over ${d.cfg.maxEnvelopeBytes}`));
    }
    const destHint = destHintOf(destId);
    const peer = destPublicKey ? d.peers.learn(destPublicKey) : d.peers.get(destId);
    if (destPublicKey && (!peer || !constantTimeEqual(peer.nodeId, destId))) {
      return Promise.reject(new RouterError('bad-argument', 'the destination key is not the key of that node id'));
    }
    let key: number;
    let chunks: Uint8Array[] | undefined;
    // Sized for the keyed origin: a retry may fall back to it from the short form.
    if (envelope.length + (peer ? ORIGIN_KEYED_BYTES : 0) <= this.singleFrameCapacity()) {
      key = dataMessageKey(d.identity, destHint, envelope);
    } else {
      // A fragmented message always carries the keyed origin: its chunks are fixed for all its attempts.
      const body = peer ? sealOrigin(d.identity, d.ownPublicKey, peer, envelope, false) : envelope;
      chunks = splitEnvelope(body, this.singleFrameCapacity() - FRAGMENT_HEADER_BYTES, d.cfg.maxEnvelopeBytes + ORIGIN_KEYED_BYTES);
      const b = d.random.bytes(4);
      key = ((((b[0] as number) << 24) >>> 0) + ((b[1] as number) << 16) + ((b[2] as number) << 8) + (b[3] as number));
    }
    if (this.pending.has(key)) return Promise.reject(new RouterError('bad-argument', 'this envelope is already being sent to that node'));
    return new Promise<string>((resolve, reject) => {
      const p: Pending = {
        destId: destId.slice(), destHint, envelope, key, priority, attempts: 0, routedLast: false, routedFailures: 0, answered: [], resolve, reject,
        ...(chunks && { chunks, fragAttempts: chunks.map(() => 0) }), ...(peer && { peer }),
      };
      this.pending.set(key, p);
      this.attempt(p);
    });
  }

  private attempt(p: Pending): void {
    const d = this.d;
    const a = p.attempts++;
    let route = d.routes.get(p.destHint, d.clock.now());
    if (route && d.reputation.suspect(route.path, d.clock.now())) {
      d.routes.forget(p.destHint);
      route = undefined;
    }
    // The last attempt floods the envelope itself: it reaches the destination
    // around a relay that swallows routed messages and without a way back.
    const last = a > 0 && a + 1 >= Math.min(d.cfg.maxAttempts, MAX_ATTEMPT + 1) && !p.chunks;
    if (last) {
      route = undefined;
      p.floodNext = true;
    }
    p.routedLast = route !== undefined;
    p.lastPath = route?.path;
    let frameBytes = 0;
    const requestFirst = !route && !p.chunks && !p.floodNext && p.envelope.length > d.cfg.routeRequestAboveBytes;
    if (!p.chunks && !requestFirst) {
      const fields = this.dataFields(p, Math.min(a, MAX_ATTEMPT), route?.path);
      frameBytes = FRAME_HEADER_BYTES + (route?.path.length ?? 0) + fields.payload.length;
      d.forwarder.originate(fields, p.priority, p.key);
    } else if (!p.chunks) {
      // No route: flood a 14-byte route request, not the envelope (a flood
      // costs a frame from a third of the mesh: small frames cost a third of
      // the airtime). The destination's reply teaches the route; the
      // envelope then goes routed.
      const nonce = d.random.bytes(4);
      const requestId = d.forwarder.originate(this.fields(p, FrameKind.routeRequest, Math.min(a, MAX_ATTEMPT), nonce, undefined), p.priority);
      this.routeRequests.set(requestId, p);
      p.requestId = requestId;
      frameBytes = FRAME_HEADER_BYTES + 2 + nonce.length + p.envelope.length;
    } else if (route) {
      frameBytes += this.sendFragments(p, p.chunks.map((_, i) => i), route.path);
    } else {
      // No route: flood only the first fragment. The destination answers a
      // flooded fragment at once with a fragment request along the reversed
      // path, which teaches this node the route for the rest.
      frameBytes += this.sendFragment(p, 0, undefined);
    }
    // Later attempts wait longer: a mesh that lost the first attempt is often busy.
    const timeoutMs = this.ackTimeoutMs(frameBytes, route?.path.length) * 1.5 ** a;
    d.log.debug('send attempt', { key: p.key, dest: p.destHint, attempt: a, route: route ? toHex(route.path) : 'flood', timeoutMs });
    p.timer = d.lifecycle.after(timeoutMs, () => this.timedOut(p));
  }

  /** The data frame of a one-frame message: sourced when the destination's key is known (short form once it knows ours). */
  private dataFields(p: Pending, attempt: number, path: Uint8Array | undefined): FrameFields {
    if (!p.peer) return this.fields(p, FrameKind.data, attempt, p.envelope, path);
    p.shortOrigin = p.peer.knowsUs;
    const body = sealOrigin(this.d.identity, this.d.ownPublicKey, p.peer, p.envelope, p.shortOrigin);
    return this.fields(p, FrameKind.sourcedData, attempt, body, path);
  }

  private fields(p: Pending, kind: FrameKind, attempt: number, payload: Uint8Array, path: Uint8Array | undefined): FrameFields {
    return path
      ? { kind, limit: path.length, routed: true, attempt, destHint: p.destHint, route: path, payload }
      : { kind, limit: this.d.cfg.floodHopLimit, routed: false, attempt, destHint: p.destHint, payload };
  }

  /**
   * Sends fragments one after another: the next leaves when the first hop
   * has carried the previous one on (or gave up). Sending them back to back
   * would make the source collide with its own relay at the node between
   * them (hidden terminals on a chain). Returns the bytes to be sent.
   */
  private sendFragments(p: Pending, indices: readonly number[], path: Uint8Array | undefined): number {
    let at = 0;
    let bytes = 0;
    for (const i of indices) bytes += FRAME_HEADER_BYTES + (path?.length ?? 0) + FRAGMENT_HEADER_BYTES + ((p.chunks as Uint8Array[])[i]?.length ?? 0);
    const next = (): void => {
      while (at < indices.length && this.pending.get(p.key) === p) {
        if (this.sendFragment(p, indices[at++] as number, path, next) > 0) return;
      }
    };
    next();
    return bytes;
  }

  /** Sends fragment i (if its attempt counter allows); returns the frame's size or 0. */
  private sendFragment(p: Pending, i: number, path: Uint8Array | undefined, onDone?: () => void): number {
    const attempts = p.fragAttempts as number[];
    const attempt = attempts[i] as number;
    if (attempt > MAX_ATTEMPT) {
      // Four frame ids per fragment are spent; after the duplicate caches
      // have forgotten the first (30 min) the counter could wrap, but a
      // message this unlucky is left to the end-to-end timeout instead.
      return 0;
    }
    attempts[i] = attempt + 1;
    const chunks = p.chunks as readonly Uint8Array[];
    const payload = encodeFragment({
      sourceHint: this.d.identity.destHint, messageId: p.key, index: i, count: chunks.length, chunk: chunks[i] as Uint8Array, sourced: p.peer !== undefined,
    });
    this.d.forwarder.originate(this.fields(p, FrameKind.fragment, attempt, payload, path), p.priority, undefined, onDone);
    return FRAME_HEADER_BYTES + (path?.length ?? 0) + payload.length;
  }

  /** Time to wait for the ack: every hop there and back, with hop retries or contention windows. */
  private ackTimeoutMs(frameBytes: number, pathLength: number | undefined): number {
    const c = this.d.cfg;
    const airtime = this.d.tx.airtimeMs(frameBytes);
    const ackAirtime = this.d.tx.airtimeMs(FRAME_HEADER_BYTES + 8 + (pathLength ?? c.expectedHops));
    // Waiting too long costs latency; giving up too early costs a whole new
    // attempt (a flood: a frame from most nodes), so these are generous:
    // every hop there and back with listen-before-talk, plus a hop-level
    // recovery (relay.ts hopWaitMs) on a third of the hops (10 % loss loses
    // a frame or its implicit ack on about one hop in five).
    const recoveries = (hops: number): number => (1 + hops / 3) * this.d.forwarder.hopWaitMs(frameBytes);
    if (pathLength !== undefined) {
      const hops = pathLength + 1;
      return hops * (airtime + ackAirtime) * 3 + 2 * recoveries(hops) + c.ackSlackMs;
    }
    // A flood to an unknown destination may have to cross the whole mesh:
    // size the wait on the deepest flood heard so far, not only the default.
    const hops = Math.max(c.expectedHops, this.d.floodDepth.deepestHops + 4);
    return hops * airtime * (c.contentionMaxAirtimes / 2 + 2) + hops * ackAirtime * 3 + recoveries(hops) + c.ackSlackMs;
  }

  private timedOut(p: Pending): void {
    const d = this.d;
    d.log.debug('ack timeout', { key: p.key, dest: p.destHint, attempts: p.attempts, routed: p.routedLast });
    // A routed attempt can fail on a burst of collisions: try the route once
    // more (a few frames) before dropping it and flooding (a frame per node).
    const congested = d.tx.channelUse() > d.cfg.politeChannelUse;
    if (p.routedLast && p.lastPath) d.reputation.record(p.lastPath, false, d.clock.now());
    // The destination may have forgotten our key (restart, full cache): the next attempt carries it again.
    if (p.peer && p.shortOrigin) p.peer.knowsUs = false;
    if (p.routedLast && ++p.routedFailures >= ROUTED_FAILURES_BEFORE_FLOOD && !congested) {
      d.routes.forget(p.destHint);
      d.counters.routeFallbacks++;
      p.routedFailures = 0;
      // The route's relays carried our replies but not the message twice: a
      // route request would be answered through the same first relay again.
      p.floodNext = d.reputation.suspect(p.lastPath ?? new Uint8Array(0), d.clock.now());
    }
    // Two route requests went unanswered (lost on the way, or their replies
    // lost on a long or one-sided path): flood the envelope itself, which
    // delivers without any way back being known.
    if (!p.routedLast && !p.chunks && p.attempts >= 2) p.floodNext = true;
    if (p.attempts >= Math.min(d.cfg.maxAttempts, MAX_ATTEMPT + 1)) {
      this.pending.delete(p.key);
      this.forgetRequests(p);
      d.counters.failed++;
      p.reject(new RouterError('delivery-failed', `no acknowledgement from ${toHex(p.destId)} after ${p.attempts} attempts`));
      return;
    }
    d.counters.retries++;
    this.attempt(p);
  }

  /** An ack that reached this node as its final receiver; true when it settled a message or a route request. */
  onAck(ackedKey: number, proof: Uint8Array, ackRoute: Uint8Array): boolean {
    const d = this.d;
    const asked = this.routeRequests.get(ackedKey);
    if (asked) return this.onRouteReply(asked, ackedKey, proof, ackRoute);
    const p = this.pending.get(ackedKey);
    if (!p) return false;
    // The proof binds the destination's full id: a node sharing its hint cannot ack for it.
    // A sourced message takes only the pairwise proof: the network key is public by default.
    const expected = p.peer
      ? pairAckProof(d.identity.suite, p.peer.pairKey, p.destId, ackedKey)
      : ackProof(d.identity.suite, d.identity.meshKey, p.destId, ackedKey);
    if (!constantTimeEqual(proof, expected)) {
      d.counters.badAckProofs++;
      return false;
    }
    if (p.peer) p.peer.knowsUs = true;
    this.pending.delete(ackedKey);
    this.forgetRequests(p);
    p.timer?.cancel();
    d.counters.acked++;
    d.log.debug('acked', { key: ackedKey, dest: p.destHint, route: toHex(ackRoute) });
    if (p.routedLast && p.lastPath) d.reputation.record(p.lastPath, true, d.clock.now());
    const path = reversed(ackRoute);
    if (!d.reputation.suspect(path, d.clock.now())) d.routes.learn(p.destHint, path, 'ack', d.clock.now());
    p.resolve(ackedKey.toString(16).padStart(8, '0'));
    return true;
  }

  /** The destination answered a route request: learn the route, send the envelope along it now. */
  private onRouteReply(p: Pending, requestId: number, proof: Uint8Array, ackRoute: Uint8Array): boolean {
    const d = this.d;
    if (!constantTimeEqual(proof, ackProof(d.identity.suite, d.identity.meshKey, p.destId, requestId))) {
      d.counters.badAckProofs++;
      return false;
    }
    this.routeRequests.delete(requestId);
    if (this.pending.get(p.key) !== p) return true;
    const path = reversed(ackRoute);
    // A second reply to a request answered already: the destination did not
    // get the message along the first path, and answers along one that
    // shares no relay with it (handlers/route-request.ts). Send along it now.
    const second = p.requestId !== requestId;
    if (second && !p.answered.includes(requestId)) return true;
    if (second) d.counters.altPathRetries++;
    p.requestId = undefined;
    if (!second) {
      p.answered.push(requestId);
      this.routeRequests.set(requestId, p);
    }
    d.log.debug('route reply', { key: p.key, dest: p.destHint, route: toHex(path) });
    p.timer?.cancel();
    const attempt = Math.min(Math.max(0, p.attempts - 1), MAX_ATTEMPT);
    // A reply through a relay that has swallowed our messages before: flood the envelope instead.
    const usable = !d.reputation.suspect(path, d.clock.now());
    // The reply's proof is under the network key (the destination cannot
    // tell who asked): for a sourced message the route is used for this
    // attempt and learned only from the pairwise ack (onAck), so a forged
    // reply costs one attempt and teaches nothing.
    if (usable && !p.peer) d.routes.learn(p.destHint, path, 'reply', d.clock.now());
    const fields = this.dataFields(p, attempt, usable ? path : undefined);
    d.forwarder.originate(fields, p.priority, p.key);
    p.routedLast = usable;
    p.lastPath = usable ? path : undefined;
    const timeoutMs = this.ackTimeoutMs(FRAME_HEADER_BYTES + path.length + fields.payload.length, usable ? path.length : undefined);
    p.timer = d.lifecycle.after(timeoutMs, () => this.timedOut(p));
    return true;
  }

  private forgetRequests(p: Pending): void {
    if (p.requestId !== undefined) this.routeRequests.delete(p.requestId);
    for (const id of p.answered) this.routeRequests.delete(id);
  }

  /** The destination asks (again) for some fragments (selective repeat); `requestRoute` as received. */
  onFragmentRequest(messageId: number, missing: number, requestRoute: Uint8Array): void {
    const d = this.d;
    const p = this.pending.get(messageId);
    if (!p?.chunks) return;
    d.counters.fragmentRequests++;
    // A fragment request carries no proof: its path serves this message's
    // fragments, and becomes a route only when the ack proves it (onAck).
    const path = d.routes.get(p.destHint, d.clock.now())?.path ?? reversed(requestRoute);
    const indices = p.chunks.map((_, i) => i).filter((i) => (missing >>> i) & 1);
    const frameBytes = this.sendFragments(p, indices, path);
    p.timer?.cancel();
    p.timer = d.lifecycle.after(this.ackTimeoutMs(Math.max(frameBytes, 1), path.length), () => this.timedOut(p));
  }

  close(): void {
    this.routeRequests.clear();
    for (const p of this.pending.values()) {
      p.timer?.cancel();
      p.reject(new RouterError('closed', 'router closed before the message was acknowledged'));
    }
    this.pending.clear();
  }
}
