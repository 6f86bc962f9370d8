/**
 * Group commit for a busy relay or gateway. With synchronous=FULL every
 * commit waits for an fsync (a few ms on an SD card or a VM disk: about 220
 * commits/s measured here, `npm run bench -- --only store`), so a relay
 * answering 1,000 clients one commit each would be bound by the disk.
 * GroupCommit gathers the writes requested during one turn of the event
 * loop (up to `maxBatch`) into one transaction: one fsync for all of them.
 * Each write's promise settles only after that commit, so a caller still
 * acknowledges a message only once it is on disk.
 *
 * Each write runs in its own savepoint inside the batch: one write that
 * throws (a full quota, a bad argument) is rolled back alone and rejects
 * alone; the others commit.
 *
 * Adaptive window (`maxWaitMs`, the relay's: gateway/server/core/relay-core.ts).
 * An fsync blocks the event loop (better-sqlite3 is synchronous), so the
 * number of commits, not of requests, is what durability costs: 4 to 5 ms
 * per commit on the development machine's disk. Committing at the end of
 * the first event-loop turn with a request in it cut a burst of 64
 * concurrent clients into batches of 1 to 64 (25 on average,
 * docs/BENCHMARKS.md section "relay"): clients answered by the last commit
 * send their next request while the relay is still reading the others. So
 * the batch may wait, at most `maxWaitMs` on the injected clock, until it
 * holds as many writes as the previous commit carried (the clients that
 * commit answered are the ones likely to come back). A lone client is never
 * delayed: after a batch of one the target is one. Nothing is answered
 * before its commit either way.
 */
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { Store } from '../../seams/store.ts';
import { checkOption } from './args.ts';
import { StoreArgumentError, StoreError } from './errors.ts';

/**
 * Where a batch is written: the outer batch() call is one transaction
 * (committed when it returns), a nested call a savepoint. The node store is
 * one; the relay passes its store, or its store around a RelayDb of its own.
 */
export type BatchTarget = Pick<Store, 'batch'>;

export interface GroupCommitOptions {
  /** A batch is committed when it holds this many writes, without waiting. Default 256. */
  readonly maxBatch?: number;
  /**
   * Longest wait, in ms on `clock`, for a batch to reach the size of the
   * previous one. Default 0: commit at the end of the turn.
   */
  readonly maxWaitMs?: number;
  /** Times the adaptive wait; required when maxWaitMs > 0. */
  readonly clock?: Clock;
  /**
   * Schedules the end-of-turn check of a batch. Default setImmediate: after
   * the I/O callbacks of this event-loop turn (every request that arrived
   * together), and it keeps the process alive until pending writes are
   * committed. A simulation passes `(fn) => clock.setTimer(0, fn)`.
   */
  readonly schedule?: (check: () => void) => void;
}

export interface GroupCommitStats {
  /** Transactions committed (or attempted). */
  readonly commits: number;
  /** Writes those transactions carried. */
  readonly ops: number;
}

export interface GroupCommit {
  /** Runs `write` (synchronous store calls) in the next batch; resolves with its result once committed. */
  run<T>(write: () => T): Promise<T>;
  /** Commits what is pending now, without waiting for the batch to fill. */
  flush(): void;
  /** Writes waiting for the next commit. */
  readonly pending: number;
  readonly stats: GroupCommitStats;
}

interface Job {
  readonly write: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export function createGroupCommit(target: BatchTarget, options: GroupCommitOptions = {}): GroupCommit {
  const maxBatch = checkOption('maxBatch', options.maxBatch, 256);
  const maxWaitMs = options.maxWaitMs ?? 0;
  if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) throw new StoreArgumentError(`maxWaitMs must be a non-negative number, got ${maxWaitMs}`);
  const { clock } = options;
  if (maxWaitMs > 0 && !clock) throw new StoreArgumentError('maxWaitMs needs a clock');
  const schedule = options.schedule ?? ((check: () => void) => void setImmediate(check));
  const stats = { commits: 0, ops: 0 };
  let queue: Job[] = [];
  // Set while an end-of-turn check is outstanding, so one turn schedules one check.
  let scheduled = false;
  let waitTimer: TimerHandle | undefined;
  let firstQueuedMs = 0;
  // The size of the previous batch: what the next one waits for (adaptive window).
  let targetSize = 1;

  const commit = (jobs: readonly Job[]): void => {
    targetSize = Math.max(1, jobs.length);
    stats.commits++;
    stats.ops += jobs.length;
    const outcomes: Outcome[] = [];
    try {
      target.batch(() => {
        for (const job of jobs) {
          try {
            // A nested batch is a savepoint: a throw rolls back this write only.
            outcomes.push({ ok: true, value: target.batch(job.write) });
          } catch (error) {
            // A full disk, an I/O error or a lost lock may have rolled back the
            // whole transaction (https://sqlite.org/lang_transaction.html, "Response
            // To Errors Within A Transaction"): fail the batch rather than let the
            // next writes run outside it.
            if (isBatchFatal(error)) throw error;
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed (disk full, I/O error, store closed): nothing was written.
      for (const job of jobs) job.reject(error);
      return;
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    });
  };

  const flush = (): void => {
    waitTimer?.cancel();
    waitTimer = undefined;
    while (queue.length > 0) {
      const jobs = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      commit(jobs);
    }
  };

  /** Runs at the end of a turn with writes in it: commit now, or wait (bounded) for the batch to fill. */
  const check = (): void => {
    if (queue.length === 0) return;
    const waitedMs = clock ? clock.now() - firstQueuedMs : 0;
    if (queue.length < Math.min(targetSize, maxBatch) && waitedMs < maxWaitMs) {
      // Not full yet: new writes schedule another check; the timer bounds the wait.
      waitTimer ??= clock?.setTimer(Math.max(0, maxWaitMs - waitedMs), () => {
        waitTimer = undefined;
        check();
      });
      return;
    }
    flush();
  };

  return {
    run<T>(write: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (queue.length === 0 && clock) firstQueuedMs = clock.now();
        queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
        if (queue.length >= maxBatch) {
          flush();
        } else if (!scheduled) {
          scheduled = true;
          schedule(() => {
            scheduled = false;
            check();
          });
        }
      });
    },
    flush,
    get pending() {
      return queue.length;
    },
    stats,
  };
}

const batchFatalCodes: ReadonlySet<string> = new Set(['store-full', 'store-io-error', 'store-busy', 'store-corrupt', 'store-closed', 'store-read-only']);

function isBatchFatal(error: unknown): boolean {
  return error instanceof StoreError && batchFatalCodes.has(error.code);
}
