/**
 * What the outbox, mailbox and seen-log implementations share: the one
 * SQLite connection of a store, its injected clock and randomness, and the
 * closed flag that turns any late use into a StoreClosedError instead of
 * better-sqlite3's generic TypeError.
 */
import type { Database } from 'better-sqlite3';
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock } from '../platform/clock.ts';
import { checkTime } from './args.ts';
import { StoreArgumentError, StoreClosedError } from './errors.ts';

export class Connection {
  private closed = false;

  constructor(
    readonly db: Database,
    readonly path: string,
    private readonly clock: Clock,
    readonly random: RandomSource,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Throws StoreClosedError after close(). Call first in every public method. */
  guard(): void {
    if (this.closed) throw new StoreClosedError();
  }

  /** `nowMs` checked, or the clock's time; whole ms (a simulated clock may have fractions). */
  now(nowMs?: number): number {
    if (nowMs !== undefined) return checkTime('nowMs', nowMs);
    return checkTime('clock.now()', this.clock.now());
  }

  /**
   * Runs fn in an IMMEDIATE transaction (the write lock is taken at BEGIN,
   * so two connections cannot deadlock upgrading read locks, and the
   * busy_timeout applies). Nested calls become savepoints.
   */
  write<T>(fn: () => T): T {
    this.guard();
    return this.db
      .transaction(() => {
        const result = fn();
        if (isThenable(result)) {
          // better-sqlite3 would commit as soon as fn returns: an awaited write
          // inside would land outside the transaction. Refuse, which rolls back.
          throw new StoreArgumentError('a store transaction must be synchronous (fn returned a promise)');
        }
        return result;
      })
      .immediate();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function isThenable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
