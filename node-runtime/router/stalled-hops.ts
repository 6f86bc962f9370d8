/**
 * Next hops that did not carry this node's routed frames on: first-hand
 * evidence (this node sent, listened, retried and heard no progress), which
 * no third party can fake by claiming hints. One stall is a lossy moment; a
 * second one in a row within `windowMs`, with no progress between, marks the
 * hop stalled, and the forwarder then salvages the data frames that die
 * there (relay.ts). Progress through the hop clears it. Bounded.
 */
export class StalledHops {
  private readonly byHint = new Map<number, { stalls: number; lastMs: number }>();
  constructor(private readonly stallsToMark = 2, private readonly windowMs = 15 * 60_000, private readonly maxEntries = 256) {}

  note(hint: number, progress: boolean, nowMs: number): void {
    if (progress) {
      this.byHint.delete(hint);
      return;
    }
    const e = this.byHint.get(hint);
    if (e && nowMs - e.lastMs <= this.windowMs) {
      e.stalls++;
      e.lastMs = nowMs;
      return;
    }
    if (!e && this.byHint.size >= this.maxEntries) this.byHint.delete(this.byHint.keys().next().value as number);
    this.byHint.set(hint, { stalls: 1, lastMs: nowMs });
  }

  stalled(hint: number, nowMs: number): boolean {
    const e = this.byHint.get(hint);
    return e !== undefined && e.stalls >= this.stallsToMark && nowMs - e.lastMs <= this.windowMs;
  }
}
