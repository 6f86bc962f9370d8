/**
 * The time one node's channel was busy (its own transmissions and every
 * frame it heard above the carrier-sense threshold), as a sorted list of
 * disjoint intervals. It answers "channel use over the last W ms" (what the
 * scheduler's politeness rule reads, as Meshtastic's channel utilisation
 * does over one minute) and, after a run, the mean and the peak of that
 * sliding-window figure.
 *
 * Intervals are added in non-decreasing start order (the medium adds one
 * when a frame starts, at the current simulated time); an interval that
 * overlaps the last one is merged into it, so overlapping frames count once.
 */
export class BusyTimeline {
  /** Flat [start0, end0, start1, end1, ...], disjoint, sorted. */
  private readonly spans: number[] = [];

  add(startMs: number, endMs: number): void {
    if (!(endMs > startMs)) return;
    const n = this.spans.length;
    if (n > 0) {
      const lastEnd = this.spans[n - 1] as number;
      if (startMs <= lastEnd) {
        if (endMs > lastEnd) this.spans[n - 1] = endMs;
        return;
      }
    }
    this.spans.push(startMs, endMs);
  }

  /** Number of merged busy intervals recorded. */
  get intervalCount(): number {
    return this.spans.length / 2;
  }

  /** Busy time inside [fromMs, toMs), in ms. */
  busyWithin(fromMs: number, toMs: number): number {
    let i = this.firstEndingAfter(fromMs);
    let busy = 0;
    const s = this.spans;
    for (; i < s.length; i += 2) {
      const start = s[i] as number;
      if (start >= toMs) break;
      const end = s[i + 1] as number;
      busy += Math.min(end, toMs) - Math.max(start, fromMs);
    }
    return busy;
  }

  /** Fraction of the window (toMs - windowMs, toMs] that was busy, 0..1. */
  utilisation(toMs: number, windowMs: number): number {
    return this.busyWithin(toMs - windowMs, toMs) / windowMs;
  }

  /**
   * Highest sliding-window utilisation at any instant in [originMs, untilMs].
   * u(t) rises while t is busy and falls while t - W is busy, so its local
   * maxima sit where a busy interval ends (t = end) or where the window's
   * trailing edge reaches a busy interval (t = start + W): checking those
   * instants (and untilMs) gives the exact peak.
   */
  peakUtilisation(windowMs: number, originMs: number, untilMs: number): number {
    let peak = this.utilisation(untilMs, windowMs);
    const s = this.spans;
    for (let i = 0; i < s.length; i += 2) {
      for (const t of [s[i + 1] as number, (s[i] as number) + windowMs]) {
        if (t >= originMs && t <= untilMs) peak = Math.max(peak, this.utilisation(t, windowMs));
      }
    }
    return peak;
  }

  /** Index (into spans) of the first interval whose end is after `t`. */
  private firstEndingAfter(t: number): number {
    let lo = 0;
    let hi = this.spans.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.spans[2 * mid + 1] as number) > t) hi = mid;
      else lo = mid + 1;
    }
    return 2 * lo;
  }
}
