/**
 * createRouter: carries opaque Meow envelopes across the mesh (issue 3,
 * docs/ARCHITECTURE.md section "router"). Receive pipeline for every frame:
 * size cap, decode, duplicate cache (a copy only feeds suppression and hop
 * progress), MAC check (forged frames dropped and counted, never cached),
 * then one handler per kind. Sending: outbox.ts; forwarding: relay.ts;
 * announces: announcer.ts.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import { decodeAnnounce, verifyAnnounce } from '../../protocol/mesh/announce.ts';
import { ackProof, defaultMeshKey, messageKey, verifyFrameId } from '../../protocol/mesh/frame-auth.ts';
import { BROADCAST_HINT, FrameKind, type MeshFrame } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame } from '../../protocol/mesh/frame.ts';
import { decodeAck, decodeFragmentRequest, encodeAck, encodeFragmentRequest } from '../../protocol/mesh/control.ts';
import { decodeFragment } from '../../protocol/mesh/fragment.ts';
import { meshNodeId, relayHintOfDest } from '../../protocol/mesh/node-id.ts';
import { DuplicateCache } from '../../protocol/mesh/dedup.ts';
import { DEFAULT_REASSEMBLY, Reassembler, type ReassemblyLimits } from '../../protocol/mesh/reassembly.ts';
import type { ReceivedFrame } from '../../seams/link.ts';
import type { TimerHandle } from '../../seams/clock.ts';
import { Announcer } from './announcer.ts';
import { createCore, type RouterCore, type SeenFrame } from './core.ts';
import { RouterError } from './errors.ts';
import { Outbox, reversed } from './outbox.ts';
import { cancelAnsweredFlood, finishHopWait, forwardRouted, onDuplicate, originate, scheduleFloodRelay } from './relay.ts';
import { createTransmitQueue } from './transmit-queue.ts';
import {
  DEFAULT_ROUTER_CONFIG, type DeliverMeta, emptyCounters, type Router, type RouterOptions, silentLogger,
} from './types.ts';

export type { Router } from './types.ts';

export function createRouter(o: RouterOptions): Router {
  const cfg = { ...DEFAULT_ROUTER_CONFIG, ...o.config };
  if (o.links.length === 0) throw new RouterError('bad-argument', 'a router needs at least one link');
  if (cfg.maxAttempts < 1 || cfg.maxAttempts > 4) throw new RouterError('bad-argument', 'maxAttempts must be 1..4');
  if (cfg.floodHopLimit < 1 || cfg.floodHopLimit > 31) throw new RouterError('bad-argument', 'floodHopLimit must be 1..31');
  const queues = o.queues ?? o.links.map((link) => createTransmitQueue({ link, clock: o.clock, random: o.random }));
  if (queues.length !== o.links.length) throw new RouterError('bad-argument', 'one transmit queue per link');
  const counters = emptyCounters();
  const core: RouterCore = createCore({
    suite: o.suite, clock: o.clock, random: o.random, log: o.log ?? silentLogger, cfg,
    meshKey: cfg.meshKey ?? defaultMeshKey(o.suite), nodeId: meshNodeId(o.suite, o.nodeKeys.publicKey),
    links: o.links, queues, counters,
  });
  const outbox = new Outbox(core);
  const announcer = new Announcer(core, o.nodeKeys);
  const reassembler = new Reassembler<Uint8Array>(reassemblyLimits(cfg.maxEnvelopeBytes));
  const delivered = new DuplicateCache<true>({ maxEntries: 8192, maxAgeMs: 60 * 60_000 });
  const fastRequested = new DuplicateCache<true>({ maxEntries: 256, maxAgeMs: 10 * 60_000 });
  const handlers: ((envelope: Uint8Array, meta: DeliverMeta) => void)[] = [];
  let requestTimer: TimerHandle | undefined;

  for (const link of o.links) link.onFrame((rx) => receive(rx, link.mtu));
  announcer.start();

  function receive(rx: ReceivedFrame, mtu: number): void {
    if (core.closed) return;
    counters.framesReceived++;
    if (rx.bytes.length > mtu) {
      counters.oversized++;
      return;
    }
    const decoded = decodeFrame(rx.bytes, mtu);
    if (!decoded.ok) {
      if (decoded.code === 'too-long') counters.oversized++;
      else counters.malformed++;
      return;
    }
    const frame = decoded.value;
    const now = core.clock.now();
    // Short-term channel use, before the MAC check: a forged frame took airtime too.
    core.noteHeard(rx.bytes.length);
    // Every copy is verified, duplicates included: a duplicate still acts (it
    // suppresses our relay, ends a hop wait, and an ack's payload cancels
    // retries), so a forged copy reusing a seen frame id must not (review S1).
    if (!verifyFrameId(core.suite, core.meshKey, frame)) {
      counters.forged++;
      return;
    }
    const seen = core.seen.get(frame.frameId, now);
    // A routed frame overheard before its turn reaches us again when our place
    // in the route comes: that copy is ours to handle, not a duplicate.
    const myTurn = frame.routed && (namedRelay(frame) || forMe(frame));
    if (seen && !(myTurn && !seen.handled)) {
      counters.duplicates++;
      noteNeighbour(frame, rx);
      onDuplicate(core, frame, seen);
      if (frame.kind === FrameKind.ack) ackProgress(frame);
      return;
    }
    noteNeighbour(frame, rx);
    const fresh: SeenFrame = seen ?? { firstHops: frame.hops, copiesHeard: 0 };
    if (myTurn) fresh.handled = true;
    if (!seen) core.seen.set(frame.frameId, fresh, now);
    // Every node a flood reaches learns the way back to its source (reverse path).
    if (frame.sourceHint !== undefined) core.deepestFloodHops = Math.max(core.deepestFloodHops, frame.hops);
    if (frame.sourceHint !== undefined && frame.sourceHint !== core.destHint) {
      core.routes.learn(frame.sourceHint, reversed(frame.route), 'flood', now);
    }
    switch (frame.kind) {
      case FrameKind.data: return onData(frame, fresh, rx);
      case FrameKind.fragment: return onFragment(frame, fresh, rx);
      case FrameKind.ack: return onAck(frame, fresh);
      case FrameKind.fragmentRequest: return onFragmentRequest(frame, fresh);
      case FrameKind.announce: return onAnnounce(frame, fresh, rx);
      case FrameKind.routeRequest: return onRouteRequest(frame, fresh, rx);
    }
  }

  /** The transmitter of this copy, when the frame names it. */
  function noteNeighbour(frame: MeshFrame, rx: ReceivedFrame): void {
    let hint: number | undefined;
    if (frame.hops > 0) hint = frame.route[frame.hops - 1];
    else if (frame.kind === FrameKind.ack) hint = relayHintOfDest(frame.destHint);
    if (hint !== undefined) core.neighbours.heard(hint, core.clock.now(), rx.snrDb, rx.rssiDbm);
  }

  function forMe(frame: MeshFrame): boolean {
    return frame.destHint === core.destHint && (!frame.routed || frame.hops === frame.limit);
  }

  function namedRelay(frame: MeshFrame): boolean {
    return frame.routed && frame.hops < frame.limit && frame.route[frame.hops] === core.relayHint;
  }

  /** Path back to the frame's source: the relays it crossed, reversed. */
  function pathBack(frame: MeshFrame): Uint8Array {
    return reversed(frame.routed ? frame.route.subarray(0, frame.hops) : frame.route);
  }

  function onData(frame: MeshFrame, seen: SeenFrame, rx: ReceivedFrame): void {
    if (frame.destHint === BROADCAST_HINT) {
      if (!frame.routed) {
        deliver(frame.payload, { broadcast: true, messageId: frame.frameId.toString(16).padStart(8, '0'), hops: frame.hops });
        scheduleFloodRelay(core, frame, seen, rx.snrDb, cfg.floodSuppressBroadcast);
      }
      return;
    }
    if (forMe(frame)) {
      const key = messageKey(core.suite, core.meshKey, FrameKind.data, frame.destHint, frame.payload);
      const back = pathBack(frame);
      // A repeated copy re-sends the ack, but only once the envelope is
      // delivered (stored): never an ack for what the store refused.
      const sendAck = (): void => {
        seen.reAck = () => sendAckFor(key, back, frame.attempt);
        sendAckFor(key, back, frame.attempt);
      };
      if (delivered.has(key, core.clock.now())) {
        sendAck();
        return;
      }
      void acceptThenAck(frame.payload, key, frame.hops, sendAck);
      return;
    }
    relayOrForward(frame, seen, rx);
  }

  /**
   * Floods wait their contention window at relay priority; a routed frame
   * goes at direct priority, before queued flood relays: it is one message
   * on a known path, and its upstream is timing this hop.
   */
  function relayOrForward(frame: MeshFrame, seen: SeenFrame, rx: ReceivedFrame): void {
    if (!frame.routed) {
      if (frame.destHint === core.destHint) return;
      const key = frame.kind === FrameKind.data
        ? messageKey(core.suite, core.meshKey, FrameKind.data, frame.destHint, frame.payload) : undefined;
      scheduleFloodRelay(core, frame, seen, rx.snrDb, cfg.floodSuppressDirect, key);
      return;
    }
    if (!namedRelay(frame)) return;
    // Every relay of a data frame also takes the destination's ack, which
    // comes back through it, as proof the frame got through (the last relay
    // has no other): compute the key that ack will carry.
    const ackKey = frame.kind === FrameKind.data
      ? messageKey(core.suite, core.meshKey, FrameKind.data, frame.destHint, frame.payload) : undefined;
    forwardRouted(core, frame, seen, 'direct', ackKey);
  }

  async function acceptThenAck(envelope: Uint8Array, key: number, hops: number, sendAck: () => void): Promise<void> {
    const meta: DeliverMeta = { broadcast: false, messageId: key.toString(16).padStart(8, '0'), hops, receivedAtMs: core.clock.now() };
    if (o.store) {
      let accepted = false;
      try {
        accepted = await o.store.accept(envelope, meta);
      } catch (e) {
        core.log.warn('store refused an envelope', { error: String(e) });
      }
      // No ack without durable storage: the sender retries, the store dedups.
      if (!accepted || core.closed) return;
    }
    if (delivered.has(key, core.clock.now())) return sendAck();
    delivered.set(key, true, core.clock.now());
    counters.delivered++;
    for (const h of handlers) h(envelope, meta);
    sendAck();
  }

  function deliver(envelope: Uint8Array, m: Omit<DeliverMeta, 'receivedAtMs'>): void {
    counters.delivered++;
    const meta = { ...m, receivedAtMs: core.clock.now() };
    if (o.store) void Promise.resolve(o.store.accept(envelope, meta)).catch(() => undefined);
    for (const h of handlers) h(envelope, meta);
  }

  /**
   * Acks carry the attempt number of the frame they answer: the ack of a
   * retry then has a fresh frame id and is not taken for a duplicate of the
   * (lost) earlier ack by the relays that carried that one.
   */
  function sendAckFor(ackedKey: number, path: Uint8Array, attempt: number): void {
    counters.acksSent++;
    core.log.debug('ack sent', { key: ackedKey, path: toHex(path), attempt });
    const payload = encodeAck({ ackedKey, proof: ackProof(core.suite, core.meshKey, core.nodeId, ackedKey) });
    // An ack's hint field names the acknowledging node; its final receiver matches the acked key.
    originate(core, { kind: FrameKind.ack, limit: path.length, routed: true, attempt, destHint: core.destHint, route: path, payload }, 'ack');
  }

  /** An ack (new or a copy) also shows that the data frame it answers got through. */
  function ackProgress(frame: MeshFrame): void {
    const a = decodeAck(frame.payload);
    if (!a.ok) return;
    const w = core.ackWaits.get(a.value.ackedKey);
    if (w) finishHopWait(core, w);
    cancelAnsweredFlood(core, a.value.ackedKey);
  }

  function onAck(frame: MeshFrame, seen: SeenFrame): void {
    const a = decodeAck(frame.payload);
    if (a.ok) core.log.debug('ack heard', { key: a.value.ackedKey, hops: frame.hops, me: core.relayHint.toString(16) });
    if (!a.ok || !frame.routed) {
      counters.malformed++;
      return;
    }
    ackProgress(frame);
    // Whoever hears this copy heard route[hops - 1] (or the acking node itself at hops 0),
    // so the relays already crossed, reversed, are a valid route to the acknowledging node.
    core.routes.learn(frame.destHint, reversed(frame.route.subarray(0, frame.hops)), 'ack', core.clock.now());
    if (frame.hops === frame.limit) {
      outbox.onAck(a.value.ackedKey, a.value.proof, frame.route);
      return;
    }
    if (namedRelay(frame)) {
      core.log.debug('ack forward', { key: a.value.ackedKey, hops: frame.hops, route: toHex(frame.route) });
      forwardRouted(core, frame, seen, 'ack');
    }
  }

  /** A route request for this node is answered with an ack of its frame id along the reversed path. */
  function onRouteRequest(frame: MeshFrame, seen: SeenFrame, rx: ReceivedFrame): void {
    if (frame.routed || frame.destHint === BROADCAST_HINT) {
      counters.malformed++;
      return;
    }
    if (frame.destHint !== core.destHint) {
      // The reply (an ack of this frame id) cancels waiting relays of the request.
      scheduleFloodRelay(core, frame, seen, rx.snrDb, cfg.floodSuppressDirect, frame.frameId);
      return;
    }
    const back = pathBack(frame);
    seen.reAck = () => sendAckFor(frame.frameId, back, frame.attempt);
    sendAckFor(frame.frameId, back, frame.attempt);
  }

  function onFragment(frame: MeshFrame, seen: SeenFrame, rx: ReceivedFrame): void {
    if (!forMe(frame)) return relayOrForward(frame, seen, rx);
    const f = decodeFragment(frame.payload);
    if (!f.ok) {
      counters.malformed++;
      return;
    }
    const back = pathBack(frame);
    core.routes.learn(f.value.sourceHint, back, 'fragment', core.clock.now());
    const out = reassembler.accept(f.value, core.clock.now(), back);
    if (out.status === 'complete') {
      const sendAck = (): void => sendAckFor(out.messageId, back, frame.attempt);
      const key = out.messageId;
      if (delivered.has(key, core.clock.now())) return sendAck();
      void acceptThenAck(out.envelope, key, frame.hops, sendAck);
    } else if (out.status === 'partial' && !frame.routed && !fastRequested.has(f.value.messageId, core.clock.now())) {
      // A flooded fragment: the sender has no route. Ask at once for the rest
      // along the reversed path, so it learns the route and sends them routed.
      fastRequested.set(f.value.messageId, true, core.clock.now());
      const missing = (2 ** f.value.count - 1) & ~(1 << f.value.index);
      sendFragmentRequest(f.value.sourceHint, f.value.messageId, missing >>> 0, back);
    } else if (out.status === 'duplicate') {
      // The sender resent a fragment we hold: our ack may have been lost.
      if (delivered.has(f.value.messageId, core.clock.now())) sendAckFor(f.value.messageId, back, frame.attempt);
    }
    armFragmentRequests();
  }

  function armFragmentRequests(): void {
    if (requestTimer || reassembler.stats().partials === 0) return;
    requestTimer = core.after(DEFAULT_REQUEST_CHECK_MS, () => {
      requestTimer = undefined;
      for (const due of reassembler.requestsDue(core.clock.now())) sendFragmentRequest(due.sourceHint, due.messageId, due.missing, due.context);
      armFragmentRequests();
    });
  }

  function sendFragmentRequest(sourceHint: number, messageId: number, missing: number, path: Uint8Array): void {
    const payload = encodeFragmentRequest({ messageId, missing });
    originate(core, { kind: FrameKind.fragmentRequest, limit: path.length, routed: true, destHint: sourceHint, route: path, payload }, 'ack');
  }

  function onFragmentRequest(frame: MeshFrame, seen: SeenFrame): void {
    if (!frame.routed) {
      counters.malformed++;
      return;
    }
    if (!forMe(frame)) {
      if (namedRelay(frame)) forwardRouted(core, frame, seen, 'ack');
      return;
    }
    const q = decodeFragmentRequest(frame.payload);
    if (!q.ok) {
      counters.malformed++;
      return;
    }
    outbox.onFragmentRequest(q.value.messageId, q.value.missing, frame.route);
  }

  function onAnnounce(frame: MeshFrame, seen: SeenFrame, rx: ReceivedFrame): void {
    const a = decodeAnnounce(frame.payload);
    if (!a.ok || frame.routed || frame.destHint !== BROADCAST_HINT) {
      counters.malformed++;
      return;
    }
    if (!verifyAnnounce(core.suite, a.value)) {
      counters.badAnnounces++;
      return;
    }
    const id = meshNodeId(core.suite, a.value.publicKey);
    const nodeId = toHex(id);
    if (nodeId === core.nodeIdHex) return;
    const now = core.clock.now();
    const verdict = core.catalog.offer({
      nodeId, publicKey: a.value.publicKey, flags: a.value.flags, sequence: a.value.sequence, hops: frame.hops, lastHeardMs: now,
    });
    if (verdict === 'replay') {
      counters.replayedAnnounces++;
      return;
    }
    if (frame.hops === 0) core.neighbours.heard(id[0] as number, now, rx.snrDb, rx.rssiDbm, nodeId);
    core.routes.learn(((id[0] as number) << 8) | (id[1] as number), reversed(frame.route), 'announce', now);
    if (frame.hops < frame.limit && announcer.spend(frame.payload.length + frame.route.length + 9)) {
      scheduleFloodRelay(core, frame, seen, rx.snrDb, cfg.floodSuppressBroadcast);
    }
  }

  return {
    nodeId: core.nodeId,
    sendDirect(destNodeId, envelope, options) {
      if (core.closed) return Promise.reject(new RouterError('closed', 'router is closed'));
      return outbox.send(destNodeId, envelope, options?.priority ?? 'direct');
    },
    broadcast(envelope) {
      if (core.closed) throw new RouterError('closed', 'router is closed');
      if (envelope.length === 0 || envelope.length > outbox.singleFrameCapacity()) {
        throw new RouterError('envelope-too-large', `a broadcast carries 1..${outbox.singleFrameCapacity()} bytes`);
      }
      originate(core, { kind: FrameKind.data, limit: cfg.floodHopLimit, routed: false, destHint: BROADCAST_HINT, payload: envelope }, 'direct');
    },
    onDeliver(handler) {
      handlers.push(handler);
    },
    announce: () => announcer.announceNow(),
    catalog: (flags) => core.catalog.list(flags),
    stats() {
      const r = reassembler.stats();
      return {
        nodeId: core.nodeIdHex,
        counters: { ...counters },
        neighbours: core.neighbours.list(),
        routes: core.routes.list(),
        queueDepths: queues.map((q) => q.depth()),
        pendingMessages: outbox.size,
        reassembly: { partials: r.partials, bytes: r.bytes, evicted: r.evicted, expired: r.expired },
      };
    },
    async close() {
      if (core.closed) return;
      core.closed = true;
      core.cancelAllTimers();
      outbox.close();
      for (const q of queues) q.close();
    },
  };
}

const DEFAULT_REQUEST_CHECK_MS = 5_000;

function reassemblyLimits(maxEnvelopeBytes: number): ReassemblyLimits {
  return { ...DEFAULT_REASSEMBLY, maxEnvelopeBytes, maxBytesPerSource: 4 * maxEnvelopeBytes };
}
