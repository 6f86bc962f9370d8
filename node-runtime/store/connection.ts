/**
 * What the outbox, mailbox and seen-log implementations share: the one
 * SQLite connection of a store, its injected clock and randomness, and the
 * closed flag that turns any late use into a StoreClosedError instead of
 * better-sqlite3's generic TypeError.
 */
import type { Database, Transaction } from 'better-sqlite3';
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock } from '../../seams/clock.ts';
import { checkTime } from './args.ts';
import {
  StoreArgumentError,
  StoreBusyError,
  StoreClosedError,
  StoreCorruptError,
  StoreError,
  StoreFullError,
  StoreIoError,
  StoreReadOnlyError,
} from './errors.ts';

export class Connection {
  private closed = false;
  /** Built once: better-sqlite3's transaction() wrapper costs more than a small write. */
  private readonly inTransaction: Transaction<(fn: () => unknown) => unknown>;

  constructor(
    readonly db: Database,
    readonly path: string,
    private readonly clock: Clock,
    readonly random: RandomSource,
    readonly readOnly = false,
  ) {
    this.inTransaction = db.transaction((fn: () => unknown) => {
      const result = fn();
      if (isThenable(result)) {
        // better-sqlite3 would commit as soon as fn returns: an awaited write
        // inside would land outside the transaction. Refuse, which rolls back.
        throw new StoreArgumentError('a store transaction must be synchronous (fn returned a promise)');
      }
      return result;
    });
  }

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
    if (this.readOnly) throw new StoreReadOnlyError(`${this.path}: opened read-only`);
    try {
      return this.inTransaction.immediate(fn) as T;
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** SQLite's result codes onto the store's typed errors; anything else passes unchanged. */
  translate(error: unknown): unknown {
    if (error instanceof StoreError) return error;
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
    const message = `${this.path}: ${error instanceof Error ? error.message : code}`;
    if (code === 'SQLITE_FULL') return new StoreFullError(message, { cause: error });
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new StoreBusyError(message, { cause: error });
    if (code.startsWith('SQLITE_READONLY')) return new StoreReadOnlyError(message, { cause: error });
    if (code.startsWith('SQLITE_CORRUPT')) return new StoreCorruptError(this.path, [message], { cause: error });
    if (code.startsWith('SQLITE_IOERR')) return new StoreIoError(message, { cause: error });
    return error;
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
