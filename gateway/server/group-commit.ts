/**
 * Group commit: requests that arrive in the same event-loop turn are
 * written in one transaction (one fsync with synchronous=FULL), and each is
 * answered only after that commit returned. Durability per request without
 * paying one fsync per request under load.
 */
export type BatchRunner = (fn: () => void) => void;

interface Pending {
  op: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;

  /**
   * @param runBatch runs fn inside one transaction and returns after the commit.
   * @param runOne runs one op inside a savepoint, so that an op that throws undoes only its own writes.
   */
  constructor(private readonly runBatch: BatchRunner, private readonly runOne: <T>(op: () => T) => T, private readonly maxBatch = 512) {}

  submit<T>(op: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ op, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    this.scheduled = false;
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
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
