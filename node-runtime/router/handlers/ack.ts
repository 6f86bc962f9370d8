/**
 * Acks (docs/PROTOCOL.md, mesh control payloads): sending this node's acks
 * along the reversed path, and handling acks heard (progress for relays
 * waiting on the hop, route learning, the outbox's end-to-end settlement,
 * forwarding when this node is the named relay).
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import { decodeAck, encodeAck } from '../../../protocol/mesh/control.ts';
import { FrameKind, type MeshFrame } from '../../../protocol/mesh/frame-types.ts';
import type { Clock } from '../../../seams/clock.ts';
import { isNamedRelay, type RouterIdentity } from '../identity.ts';
import type { Outbox } from '../outbox.ts';
import type { Peer } from '../peer-keys.ts';
import { proofFor } from '../sources.ts';
import type { Forwarder } from '../relay.ts';
import type { RouteTable } from '../tables.ts';
import type { RouterCounters, RouterLogger } from '../types.ts';
import type { FrameHandler } from './frame-handler.ts';

/** `source`: the authenticated sender of what is acked (the proof is then pairwise: only it can check it). */
export type SendAck = (ackedKey: number, path: Uint8Array, attempt: number, source?: Peer) => void;

/**
 * Acks carry the attempt number of the frame they answer: the ack of a
 * retry then has a fresh frame id and is not taken for a duplicate of the
 * (lost) earlier ack by the relays that carried that one.
 */
export function createAckSender(d: {
  identity: RouterIdentity; counters: RouterCounters; log: RouterLogger; forwarder: Forwarder;
}): SendAck {
  const { identity: id, counters, log, forwarder } = d;
  return (ackedKey, path, attempt, source) => {
    counters.acksSent++;
    log.debug('ack sent', { key: ackedKey, path: toHex(path), attempt, pairwise: source !== undefined });
    const payload = encodeAck({ ackedKey, proof: proofFor(id, source, ackedKey) });
    // An ack's hint field names the acknowledging node; its final receiver matches the acked key.
    forwarder.originate({ kind: FrameKind.ack, limit: path.length, routed: true, attempt, destHint: id.destHint, route: path, payload }, 'ack');
  };
}

export interface AckHandlerDeps {
  readonly identity: RouterIdentity;
  readonly clock: Clock;
  readonly log: RouterLogger;
  readonly counters: RouterCounters;
  readonly routes: RouteTable;
  readonly outbox: Outbox;
  readonly forwarder: Forwarder;
}

export class AckHandler {
  constructor(private readonly d: AckHandlerDeps) {}

  /** An ack (new or a copy) also shows that the data frame it answers got through. */
  progress(frame: MeshFrame): void {
    const a = decodeAck(frame.payload);
    if (!a.ok) return;
    this.d.forwarder.settleByAck(a.value.ackedKey);
  }

  readonly handle: FrameHandler = (frame, seen) => {
    const d = this.d;
    const a = decodeAck(frame.payload);
    if (a.ok) d.log.debug('ack heard', { key: a.value.ackedKey, hops: frame.hops, me: d.identity.relayHint.toString(16) });
    if (!a.ok || !frame.routed) {
      d.counters.malformed++;
      return;
    }
    this.progress(frame);
    // A relay learns no route from the acks it carries: their proof binds the
    // acknowledging node's id only for the sender that knows it, and the
    // route field is outside the MAC (issue 9 item 3).
    if (frame.hops === frame.limit) {
      d.outbox.onAck(a.value.ackedKey, a.value.proof, frame.route);
      return;
    }
    if (isNamedRelay(d.identity, frame)) {
      d.log.debug('ack forward', { key: a.value.ackedKey, hops: frame.hops, route: toHex(frame.route) });
      d.forwarder.forwardRouted(frame, seen, 'ack');
    }
  };
}
