/**
 * The receive pipeline, cheapest refusal first, for every frame a link
 * hands over: size cap, decode, MAC check (forged frames dropped and
 * counted, never cached), duplicate cache (a copy only feeds suppression
 * and hop progress), what every fresh frame teaches (neighbour, reverse
 * path of a flood), then one handler per kind behind an exhaustive switch.
 */
import { verifyFrameId } from '../../protocol/mesh/frame-auth.ts';
import { FrameKind, type MeshFrame } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame } from '../../protocol/mesh/frame.ts';
import { relayHintOfDest } from '../../protocol/mesh/node-id.ts';
import type { Clock } from '../../seams/clock.ts';
import type { ReceivedFrame } from '../../seams/link.ts';
import type { FrameHandlers } from './handlers/frame-handler.ts';
import { isForMe, isNamedRelay, type RouterIdentity } from './identity.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Forwarder } from './relay.ts';
import type { SeenFrame, SeenFrames } from './seen-frames.ts';
import type { NeighbourTable, RouteTable } from './tables.ts';
import type { Transmitter } from './transmitter.ts';
import type { RouterCounters } from './types.ts';

/** Most relays any flood crossed before reaching this node: a lower bound on the mesh's depth (sizes outbox timeouts). */
export class FloodDepth {
  deepestHops = 0;

  note(hops: number): void {
    this.deepestHops = Math.max(this.deepestHops, hops);
  }
}

export interface ReceiveDeps {
  readonly identity: RouterIdentity;
  readonly clock: Clock;
  readonly counters: RouterCounters;
  readonly lifecycle: Lifecycle;
  readonly tx: Transmitter;
  readonly seen: SeenFrames;
  readonly neighbours: NeighbourTable;
  readonly routes: RouteTable;
  readonly floodDepth: FloodDepth;
  readonly forwarder: Forwarder;
  /** An ack copy still proves progress (handlers/ack.ts). */
  readonly ackProgress: (frame: MeshFrame) => void;
  readonly handlers: FrameHandlers;
}

export function createReceiver(d: ReceiveDeps): (rx: ReceivedFrame, mtu: number) => void {
  const { identity, clock, counters } = d;

  /** Size cap, decode, MAC check; undefined when the frame is refused (and counted). */
  function admit(rx: ReceivedFrame, mtu: number): MeshFrame | undefined {
    counters.framesReceived++;
    if (rx.bytes.length > mtu) {
      counters.oversized++;
      return undefined;
    }
    const decoded = decodeFrame(rx.bytes, mtu);
    if (!decoded.ok) {
      if (decoded.code === 'too-long') counters.oversized++;
      else counters.malformed++;
      return undefined;
    }
    // Short-term channel use, before the MAC check: a forged frame took airtime too.
    d.tx.noteHeard(rx.bytes.length);
    // Every copy is verified, duplicates included: a duplicate still acts (it
    // suppresses our relay, ends a hop wait, and an ack's payload cancels
    // retries), so a forged copy reusing a seen frame id must not (review S1).
    if (!verifyFrameId(identity.suite, identity.meshKey, decoded.value)) {
      counters.forged++;
      return undefined;
    }
    return decoded.value;
  }

  /** The transmitter of this copy, when the frame names it. */
  function noteNeighbour(frame: MeshFrame, rx: ReceivedFrame): void {
    let hint: number | undefined;
    if (frame.hops > 0) hint = frame.route[frame.hops - 1];
    else if (frame.kind === FrameKind.ack) hint = relayHintOfDest(frame.destHint);
    if (hint !== undefined) d.neighbours.heard(hint, clock.now(), rx.snrDb, rx.rssiDbm);
  }

  function dispatch(frame: MeshFrame, seen: SeenFrame, rx: ReceivedFrame): void {
    const h = d.handlers;
    switch (frame.kind) {
      case FrameKind.data: return h.data(frame, seen, rx);
      case FrameKind.sourcedData: return h.data(frame, seen, rx);
      case FrameKind.fragment: return h.fragment(frame, seen, rx);
      case FrameKind.ack: return h.ack(frame, seen, rx);
      case FrameKind.fragmentRequest: return h.fragmentRequest(frame, seen, rx);
      case FrameKind.announce: return h.announce(frame, seen, rx);
      case FrameKind.routeRequest: return h.routeRequest(frame, seen, rx);
      default: {
        // decodeFrame refuses unknown kinds; a new kind must get a handler here.
        const unhandled: never = frame.kind;
        return unhandled;
      }
    }
  }

  return (rx, mtu) => {
    if (d.lifecycle.closed) return;
    const frame = admit(rx, mtu);
    if (!frame) return;
    const now = clock.now();
    const seen = d.seen.get(frame.frameId, now);
    // A routed frame overheard before its turn reaches us again when our place
    // in the route comes: that copy is ours to handle, not a duplicate. An
    // ack's last copy (hops == limit) is for whoever waits for it, which its
    // header does not name (its hint names the acknowledging node): a source
    // that overheard the ack a hop early must still take the last copy.
    const finalAck = frame.kind === FrameKind.ack && frame.hops === frame.limit;
    const myTurn = frame.routed && (isNamedRelay(identity, frame) || isForMe(identity, frame) || finalAck);
    if (seen && !(myTurn && !seen.handled)) {
      counters.duplicates++;
      noteNeighbour(frame, rx);
      d.forwarder.onDuplicate(frame, seen);
      if (frame.kind === FrameKind.ack) d.ackProgress(frame);
      if (seen.altReply && !frame.routed) seen.altReply(frame);
      return;
    }
    noteNeighbour(frame, rx);
    const fresh: SeenFrame = seen ?? { firstHops: frame.hops, copiesHeard: 0 };
    if (myTurn) fresh.handled = true;
    if (!seen) d.seen.set(frame.frameId, fresh, now);
    // No route is learned here: a flood's relay hints are outside the frame
    // MAC (relays append them), so anyone could claim a path through itself
    // (issue 9 item 3). Routes come only from proven acks (outbox.ts).
    if (frame.sourceHint !== undefined) d.floodDepth.note(frame.hops);
    dispatch(frame, fresh, rx);
  };
}
