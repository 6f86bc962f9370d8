/**
 * Group commit: requests are written in one transaction (one fsync with
 * synchronous=FULL), and each is answered only after that commit returned.
 * Durability per request without paying one fsync per request under load.
 *
 * When the batch closes (adaptive window). An fsync blocks the event loop
 * (better-sqlite3 is synchronous), so the number of commits, not of
 * requests, is what durability costs: 4 to 5 ms per commit on the
 * development machine's disk (one file: the relay tables share the store's).
 * Committing at the end of the first event-loop turn with a request in it
 * cut a burst of 64 concurrent clients into batches of 1 to 64 (25 on
 * average, docs/BENCHMARKS.md section "relay"): clients answered by the
 * last commit send their next request while the relay is still reading the
 * others. So the batch waits, at most `maxWaitMs`, until it holds as many
 * requests as the previous commit carried (the clients that commit
 * answered are the ones likely to come back). A lone client is never
 * delayed: after a batch of one the target is one. Nothing is answered
 * before its commit either way.
 */
export type BatchRunner = (fn: () => void) => void;

export interface GroupCommitOptions {
  /** A batch never holds more than this many requests. Default 512. */
  readonly maxBatch?: number;
  /** Longest wait for a batch to reach its target size, in ms. 0: commit at the end of the turn. Default 2. */
  readonly maxWaitMs?: number;
}

interface Pending {
  op: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitStats {
  commits: number;
  ops: number;
}

export class GroupCommit {
  readonly stats: GroupCommitStats = { commits: 0, ops: 0 };
  private queue: Pending[] = [];
  private scheduled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private firstQueuedMs = 0;
  private target = 1;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;

  /**
   * @param runBatch runs fn inside one transaction and returns after the commit.
   * @param runOne runs one op inside a savepoint, so that an op that throws undoes only its own writes.
   */
  constructor(private readonly runBatch: BatchRunner, private readonly runOne: <T>(op: () => T) => T, options: GroupCommitOptions = {}) {
    this.maxBatch = options.maxBatch ?? 512;
    this.maxWaitMs = options.maxWaitMs ?? 2;
  }

  submit<T>(op: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) this.firstQueuedMs = performance.now();
      this.queue.push({ op, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Commits whatever is queued now, without waiting for the batch to fill. */
  flushNow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.queue.length > 0) this.flush();
  }

  /** Checks at the end of this event-loop turn whether the batch should close. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.maybeFlush();
    });
  }

  private maybeFlush(): void {
    if (this.queue.length === 0) return;
    const waitedMs = performance.now() - this.firstQueuedMs;
    if (this.queue.length < Math.min(this.target, this.maxBatch) && waitedMs < this.maxWaitMs) {
      // Not full yet: new requests schedule another check; the timer bounds the wait.
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.maybeFlush();
      }, Math.max(0, this.maxWaitMs - waitedMs));
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.flush();
  }

  private flush(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    this.target = Math.max(1, batch.length);
    if (this.queue.length > 0) {
      this.firstQueuedMs = performance.now();
      this.schedule();
    }
    this.stats.commits++;
    this.stats.ops += batch.length;
    const results: { ok: boolean; value: unknown }[] = [];
    try {
      this.runBatch(() => {
        for (const p of batch) {
          try {
            results.push({ ok: true, value: this.runOne(p.op) });
          } catch (e) {
            results.push({ ok: false, value: e });
          }
        }
      });
    } catch (e) {
      // The commit itself failed: nothing of this batch is durable.
      for (const p of batch) p.reject(e);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i]!;
      if (r.ok) p.resolve(r.value);
      else p.reject(r.value);
    });
  }
}
