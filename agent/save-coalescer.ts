/**
 * Group commit of a compartment's saves. Every save rewrites the whole
 * vault file (8 x 128 KiB, sealed again, fsync'd: about 65 ms on the
 * benchmark machine, docs/BENCHMARKS.md "Local API"), and one message costs
 * several of them (the send, the contact's receipt, a rotation). Saves
 * asked for while a write is running are served together by one next write.
 *
 * Durability is unchanged: request() resolves only once a write that
 * started after the request was made is on disk, and a write encodes the
 * document as it is when it starts, so it holds every change made before
 * the request. A failed write rejects every request it was serving.
 */
export class SaveCoalescer {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** How many writes ran, and how many requests they served (tests and the benchmark). */
  writes = 0;
  requests = 0;

  constructor(private readonly write: () => Promise<void>) {}

  request(): Promise<void> {
    this.requests++;
    if (!this.running) return this.start();
    // Already waiting for the running write: ride on the write that follows it.
    this.queued ??= this.running.catch(() => undefined).then(() => {
      this.queued = undefined;
      return this.start();
    });
    return this.queued;
  }

  private start(): Promise<void> {
    this.writes++;
    const run = this.write().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}
