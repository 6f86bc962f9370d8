/**
 * One transmit queue per link: the shape the router (and the simulator's
 * baselines) send through, and the one priority type of every transmit
 * path. Two implementations share this file's contract:
 *  - TransmitScheduler (transmit-scheduler.ts), which the daemon runs in
 *    production: duty cycle, channel-use politeness, expiry, bounded lanes;
 *  - createTransmitQueue below, the router's default and the simulator's:
 *    priorities (ack > direct > relay > bulk), a not-before time (contention
 *    windows), listen before talk with random backoff when a ChannelMonitor
 *    says the channel is busy, bounded depth that sheds the lowest priority
 *    first, and cancellation of a queued frame (a suppressed relay). One
 *    frame on air at a time; the frame is considered gone after the link's
 *    time on air, on the injected clock, so the queue needs no promise to
 *    settle (the simulator runs callbacks synchronously).
 * The second does not store its frames in the scheduler's PriorityLanes:
 * those refuse a duplicate id and shed the oldest frame strictly below the
 * newcomer, where this queue keeps duplicates and sheds the newest of the
 * lowest rank; changing either would change every seeded simulation.
 */
import type { RandomSource } from '../../protocol/random.ts';
import type { Link } from '../../seams/link.ts';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { ChannelMonitor } from '../../seams/channel-monitor.ts';
import { uniformUnit } from './backoff.ts';

/** Transmission priorities, highest first (issue 3, scheduler). */
export type TransmitPriority = 'ack' | 'direct' | 'relay' | 'bulk';

/** Highest first: acknowledgements, user traffic (and routed direct relays), flood relays, announces and sync. */
export const priorityOrder: readonly TransmitPriority[] = ['ack', 'direct', 'relay', 'bulk'];

export interface TxRequest {
  /** Unique id so the router can cancel a queued frame (a suppressed relay). */
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly priority: TransmitPriority;
  /** Do not transmit before this time (contention window), ms on the router's clock. */
  readonly notBeforeMs?: number;
  /** Called once the frame has left (after its time on air). */
  readonly onSent?: () => void;
}

/** One link's transmit queue (see the top of this file for its two implementations). */
export interface TransmitQueue {
  enqueue(req: TxRequest): boolean;
  /** Removes a queued, not yet started frame; false when it already left or is unknown. */
  cancel(id: string): boolean;
  depth(): number;
  /** Measured channel use 0..1 where the link can tell (radios); undefined otherwise. */
  channelUse?(): number;
  close(): void;
}

const PRIORITY_RANK: Readonly<Record<TransmitPriority, number>> = { ack: 0, direct: 1, relay: 2, bulk: 3 };

export interface TransmitQueueOptions {
  readonly link: Link;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly channel?: ChannelMonitor;
  /** Most frames waiting (all priorities). */
  readonly maxDepth?: number;
  /** Random backoff when the channel is busy: 0..this many ms (default: a 40-byte frame's airtime). */
  readonly backoffMaxMs?: number;
  /** Called when a frame is shed to make room or dropped at close. */
  readonly onShed?: (req: TxRequest) => void;
}

interface Queued {
  readonly req: TxRequest;
  readonly rank: number;
  readonly seq: number;
}

export function createTransmitQueue(o: TransmitQueueOptions): TransmitQueue {
  const items: Queued[] = [];
  const maxDepth = o.maxDepth ?? 256;
  const backoffMaxMs = o.backoffMaxMs ?? Math.max(1, o.link.airtimeMs(40));
  let seq = 0;
  let busyUntilMs = Number.NEGATIVE_INFINITY;
  let timer: TimerHandle | undefined;
  let timerAtMs = Number.POSITIVE_INFINITY;
  let closed = false;

  function pickNext(now: number): { best: Queued | undefined; wakeAtMs: number } {
    let best: Queued | undefined;
    let wakeAtMs = Number.POSITIVE_INFINITY;
    for (const q of items) {
      const nb = q.req.notBeforeMs ?? 0;
      if (nb > now) {
        wakeAtMs = Math.min(wakeAtMs, nb);
        continue;
      }
      if (!best || q.rank < best.rank || (q.rank === best.rank && q.seq < best.seq)) best = q;
    }
    return { best, wakeAtMs };
  }

  function wakeAt(atMs: number): void {
    if (timer && timerAtMs <= atMs) return;
    timer?.cancel();
    timerAtMs = atMs;
    timer = o.clock.setTimer(atMs - o.clock.now(), () => {
      timer = undefined;
      timerAtMs = Number.POSITIVE_INFINITY;
      pump();
    });
  }

  function pump(): void {
    if (closed || items.length === 0) return;
    const now = o.clock.now();
    if (busyUntilMs > now) return wakeAt(busyUntilMs);
    const { best, wakeAtMs } = pickNext(now);
    if (!best) return wakeAt(wakeAtMs);
    if (o.channel?.channelBusy()) return wakeAt(now + 1 + uniformUnit(o.random) * backoffMaxMs);
    items.splice(items.indexOf(best), 1);
    const airtime = o.link.airtimeMs(best.req.bytes.length);
    busyUntilMs = now + airtime;
    o.link.send(best.req.bytes).catch(() => { /* radio semantics: a lost send is a lost frame */ });
    o.clock.setTimer(airtime, () => {
      best.req.onSent?.();
      pump();
    });
  }

  return {
    enqueue(req) {
      if (closed) return false;
      const rank = PRIORITY_RANK[req.priority];
      if (items.length >= maxDepth) {
        let worst: Queued | undefined;
        for (const q of items) if (!worst || q.rank > worst.rank || (q.rank === worst.rank && q.seq > worst.seq)) worst = q;
        if (!worst || worst.rank < rank) return false;
        items.splice(items.indexOf(worst), 1);
        o.onShed?.(worst.req);
      }
      items.push({ req, rank, seq: seq++ });
      pump();
      return true;
    },
    cancel(id) {
      const i = items.findIndex((q) => q.req.id === id);
      if (i < 0) return false;
      items.splice(i, 1);
      return true;
    },
    depth: () => items.length,
    channelUse: () => o.channel?.channelUse() ?? 0,
    close() {
      closed = true;
      timer?.cancel();
      for (const q of items.splice(0)) o.onShed?.(q.req);
    },
  };
}
