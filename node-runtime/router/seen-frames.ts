/**
 * What the router remembers about each frame id it has verified: the
 * duplicate cache's entry, shared by the receive pipeline (which looks it
 * up) and the forwarder (which records what it sent and waits for).
 */
import { DuplicateCache } from '../../protocol/mesh/dedup.ts';
import type { MeshFrame } from '../../protocol/mesh/frame-types.ts';
import type { TimerHandle } from '../../seams/clock.ts';
import type { TransmitPriority } from '../scheduler/transmit-queue.ts';

export interface SeenFrame {
  /** Hop counter of the first copy heard. */
  readonly firstHops: number;
  /** A routed frame reached this node's place in its route (as relay or destination). */
  handled?: boolean;
  /** Copies heard after the first (rebroadcasts by neighbours). */
  copiesHeard: number;
  /** A flood relay waiting in its contention window (router cancels it when suppressed). */
  relayTxId?: string;
  relaySent?: boolean;
  /** Rebroadcasts heard that cancel the waiting relay. */
  suppressAt?: number;
  /** A routed frame this node sent or forwarded, waiting to hear the next hop carry it. */
  hopWait?: HopWait;
  /** This node is the destination: what to send again when a duplicate shows the ack was lost. */
  reAck?: () => void;
  reAcks?: number;
  /** This node answered a route request: a later copy may earn a second reply along a disjoint path (route-request.ts). */
  altReply?: (copy: MeshFrame) => void;
}

export interface HopWait {
  /** Hop counter this node put in the frame. */
  readonly sentHops: number;
  readonly bytes: Uint8Array;
  readonly priority: TransmitPriority;
  retries: number;
  timer?: TimerHandle;
  done: boolean;
  /** Ack key that also proves progress (last relay before the destination). */
  readonly ackKey?: number;
  /** Called once when the hop is settled (progress heard, or retries spent). */
  onDone?: () => void;
}

export type SeenFrames = DuplicateCache<SeenFrame>;

/** Frame ids are remembered 30 minutes: outbox.ts relies on it before a fragment's attempt counter could wrap. */
export function createSeenFrames(): SeenFrames {
  return new DuplicateCache<SeenFrame>({ maxEntries: 16384, maxAgeMs: 30 * 60_000 });
}
