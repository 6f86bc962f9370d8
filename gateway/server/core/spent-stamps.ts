/**
 * Stamps already spent (issue 9 item 1). A stamp binds one relay and one
 * resource (deposit: tag || message id), so its only reuse is the same
 * deposit again. Remembering it for its validity window (the stamp's minute
 * +- STAMP_WINDOW_MINUTES, protocol/server/stamp.ts) makes it single-use
 * even when the store has forgotten the message id, and lets a repeat be
 * answered as a duplicate without spending the mailbox's allowance.
 *
 * Bounded: past `max` live entries the relay refuses new stamps
 * ('rate-limited') instead of forgetting spent ones, which would reopen
 * reuse. Filling it needs `max` fresh stamps inside one window (200,000 at
 * 16 bits is about 2^33.6 hashes in 21 minutes), while a spent stamp never
 * lets its holder store anything twice. In memory: a restart forgets them,
 * and the store's seen ids (30 days by default) still refuse the repeats.
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import { STAMP_WINDOW_MINUTES, type Stamp } from '../../../protocol/server/stamp.ts';

const MINUTE_MS = 60_000;

export class SpentStamps {
  /** Key: hex of resource || minute || nonce; value: when the stamp stops being valid (ms). */
  private readonly spent = new Map<string, number>();

  constructor(private readonly max: number) {}

  private static key(resource: Uint8Array, stamp: Stamp): string {
    return `${toHex(resource)}:${stamp.minute}:${toHex(stamp.nonce)}`;
  }

  has(resource: Uint8Array, stamp: Stamp): boolean {
    return this.spent.has(SpentStamps.key(resource, stamp));
  }

  /** Whether one more stamp can be remembered (after dropping the expired ones). */
  hasRoom(nowMs: number): boolean {
    if (this.spent.size < this.max) return true;
    this.expire(nowMs);
    return this.spent.size < this.max;
  }

  /** Remembers a stamp until the last minute the relay would accept it. */
  spend(resource: Uint8Array, stamp: Stamp): void {
    this.spent.set(SpentStamps.key(resource, stamp), (stamp.minute + STAMP_WINDOW_MINUTES + 1) * MINUTE_MS);
  }

  expire(nowMs: number): number {
    let n = 0;
    for (const [k, until] of this.spent) {
      if (until <= nowMs) {
        this.spent.delete(k);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.spent.size;
  }
}
