/**
 * Share of the last few seconds taken by some frames (the router feeds it
 * the frames it decodes from other nodes). The link's measure (one minute,
 * as Meshtastic's channel utilisation) lags a flood crossing the
 * neighbourhood by most of a minute; this one rises within a frame or two,
 * so hop retries can wait for a flood to pass. It misses what was not
 * decoded (collisions), so it reads low, never high.
 */
export class RecentAirtime {
  private readonly ends: number[] = [];
  private readonly airtimes: number[] = [];
  private head = 0;
  private sumMs = 0;

  constructor(private readonly windowMs: number) {}

  /** A frame of `airtimeMs` ended at `endMs` (non-decreasing). */
  note(endMs: number, airtimeMs: number): void {
    this.ends.push(endMs);
    this.airtimes.push(airtimeMs);
    this.sumMs += airtimeMs;
    this.prune(endMs);
  }

  /** Busy fraction 0..1 of the window ending at `nowMs`. */
  use(nowMs: number): number {
    this.prune(nowMs);
    return this.windowMs > 0 ? Math.min(1, this.sumMs / this.windowMs) : 0;
  }

  private prune(nowMs: number): void {
    while (this.head < this.ends.length && (this.ends[this.head] as number) <= nowMs - this.windowMs) {
      this.sumMs -= this.airtimes[this.head] as number;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.ends.length) {
      this.ends.splice(0, this.head);
      this.airtimes.splice(0, this.head);
      this.head = 0;
    }
    if (this.head === this.ends.length) this.sumMs = 0;
  }
}
