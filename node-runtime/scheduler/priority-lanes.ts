/**
 * The bounded priority lanes behind the transmit scheduler: one FIFO per
 * priority, ack > direct > relay > bulk, each with its own bound, plus a
 * bound on the total. A full queue makes room by shedding the lowest
 * priority first (the oldest frame of the lowest non-empty class below the
 * newcomer); a newcomer that outranks nobody is refused instead.
 */
import { priorityOrder, type TransmitPriority } from './transmit-queue.ts';

export interface QueuedFrame {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly priority: TransmitPriority;
  /** Not eligible before this time (a relay's suppression window), ms. */
  notBeforeMs: number;
  readonly enqueuedAtMs: number;
  /** The random extra delay of polite mode has been applied once already. */
  politeDelayed: boolean;
  readonly onSent: (() => void) | undefined;
}

export type QueueBounds = Readonly<Record<TransmitPriority, number>>;

/** What add() returns when it evicted nothing (one shared empty array: add runs per frame). */
const noneEvicted: readonly QueuedFrame[] = Object.freeze([]);

export class PriorityLanes {
  private readonly lanes: Record<TransmitPriority, QueuedFrame[]> = { ack: [], direct: [], relay: [], bulk: [] };
  private readonly byId = new Map<string, QueuedFrame>();

  constructor(private readonly perPriority: QueueBounds, private readonly total: number) {}

  get size(): number {
    return this.byId.size;
  }

  depth(p: TransmitPriority): number {
    return this.lanes[p].length;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /**
   * Adds `f` if its lane has room, making room in the total by evicting
   * lower-priority frames. Returns the evicted frames, or undefined when `f`
   * was refused (its lane is full, or nothing below it could be evicted).
   */
  add(f: QueuedFrame): readonly QueuedFrame[] | undefined {
    if (this.byId.has(f.id) || this.lanes[f.priority].length >= this.perPriority[f.priority]) return undefined;
    let evicted: readonly QueuedFrame[] = noneEvicted;
    if (this.byId.size >= this.total) {
      const victim = this.lowestBelow(f.priority);
      if (!victim) return undefined;
      this.remove(victim.id);
      evicted = [victim];
    }
    this.lanes[f.priority].push(f);
    this.byId.set(f.id, f);
    return evicted;
  }

  remove(id: string): QueuedFrame | undefined {
    const f = this.byId.get(id);
    if (!f) return undefined;
    const lane = this.lanes[f.priority];
    lane.splice(lane.indexOf(f), 1);
    this.byId.delete(id);
    return f;
  }

  /** The oldest frame of the lowest-priority non-empty lane strictly below `p`. */
  private lowestBelow(p: TransmitPriority): QueuedFrame | undefined {
    const rank = priorityOrder.indexOf(p);
    for (let i = priorityOrder.length - 1; i > rank; i--) {
      const lane = this.lanes[priorityOrder[i] as TransmitPriority];
      if (lane.length > 0) return lane[0];
    }
    return undefined;
  }

  /** The highest-priority frame eligible at `nowMs` (oldest first within a priority). */
  head(nowMs: number): QueuedFrame | undefined {
    for (const p of priorityOrder) {
      for (const f of this.lanes[p]) if (f.notBeforeMs <= nowMs) return f;
    }
    return undefined;
  }

  /** The frame queued longest in lane `p` (lanes are FIFO, so it is the first to expire). */
  oldest(p: TransmitPriority): QueuedFrame | undefined {
    return this.lanes[p][0];
  }

  /** The earliest notBeforeMs later than `nowMs` among queued frames (+Infinity if none): what all() would give, without the copy. */
  nextNotBefore(nowMs: number): number {
    let at = Number.POSITIVE_INFINITY;
    for (const p of priorityOrder) {
      for (const f of this.lanes[p]) if (f.notBeforeMs > nowMs && f.notBeforeMs < at) at = f.notBeforeMs;
    }
    return at;
  }

  /** Every queued frame, highest priority first. */
  all(): QueuedFrame[] {
    return priorityOrder.flatMap((p) => this.lanes[p]);
  }
}
