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
 */
import { checkOption } from './args.ts';
import { StoreError } from './errors.ts';
import type { Store } from '../../seams/store.ts';

export interface GroupCommitOptions {
  /** A batch is committed when it holds this many writes, without waiting. Default 256. */
  readonly maxBatch?: number;
  /**
   * Schedules the commit of a batch. Default setImmediate: after the I/O
   * callbacks of this event-loop turn (every request that arrived together),
   * and it keeps the process alive until pending writes are committed. A
   * simulation passes `(fn) => clock.setTimer(0, fn)`.
   */
  readonly schedule?: (commit: () => void) => void;
}

export interface GroupCommit {
  /** Runs `write` (synchronous store calls) in the next batch; resolves with its result once committed. */
  run<T>(write: () => T): Promise<T>;
  /** Commits what is pending now. */
  flush(): void;
  /** Writes waiting for the next commit. */
  readonly pending: number;
}

interface Job {
  readonly write: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

export function createGroupCommit(store: Store, options: GroupCommitOptions = {}): GroupCommit {
  const maxBatch = checkOption('maxBatch', options.maxBatch, 256);
  const schedule = options.schedule ?? ((commit: () => void) => void setImmediate(commit));
  let queue: Job[] = [];
  // Set while a scheduled commit is outstanding, so one turn schedules one commit.
  let scheduled = false;

  const flush = (): void => {
    const jobs = queue;
    queue = [];
    if (jobs.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      store.batch(() => {
        for (const job of jobs) {
          try {
            // A nested batch is a savepoint: a throw rolls back this write only.
            outcomes.push({ ok: true, value: store.batch(job.write) });
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

  return {
    run<T>(write: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
        if (queue.length >= maxBatch) {
          flush();
        } else if (!scheduled) {
          scheduled = true;
          schedule(() => {
            scheduled = false;
            flush();
          });
        }
      });
    },
    flush,
    get pending() {
      return queue.length;
    },
  };
}

const batchFatalCodes: ReadonlySet<string> = new Set(['store-full', 'store-io-error', 'store-busy', 'store-corrupt', 'store-closed', 'store-read-only']);

function isBatchFatal(error: unknown): boolean {
  return error instanceof StoreError && batchFatalCodes.has(error.code);
}
