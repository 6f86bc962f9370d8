/**
 * Duplicate cache: which 32-bit frame ids (or message keys) were seen
 * recently. Bounded in entries and in age; time is passed in (protocol/ has
 * no clock). Insertion-ordered Map: the oldest entry is the first, so
 * eviction and expiry are O(1) amortised.
 *
 * Only verified frames are inserted (the router checks the MAC first), so a
 * forged frame cannot poison the cache and suppress the real one.
 */
export interface DuplicateCacheOptions {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
}

export const DEFAULT_DEDUP: DuplicateCacheOptions = { maxEntries: 8192, maxAgeMs: 15 * 60_000 };

export class DuplicateCache<V = true> {
  private readonly entries = new Map<number, { atMs: number; value: V }>();

  constructor(private readonly options: DuplicateCacheOptions = DEFAULT_DEDUP) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value stored for `id` when it was seen within maxAgeMs. */
  get(id: number, nowMs: number): V | undefined {
    const e = this.entries.get(id);
    if (e === undefined) return undefined;
    if (nowMs - e.atMs > this.options.maxAgeMs) {
      this.entries.delete(id);
      return undefined;
    }
    return e.value;
  }

  has(id: number, nowMs: number): boolean {
    return this.get(id, nowMs) !== undefined;
  }

  /** Records `id` (refreshing its age) and evicts what is too old or too many. */
  set(id: number, value: V, nowMs: number): void {
    this.entries.delete(id);
    this.entries.set(id, { atMs: nowMs, value });
    this.prune(nowMs);
  }

  private prune(nowMs: number): void {
    for (const [id, e] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && nowMs - e.atMs <= this.options.maxAgeMs) break;
      this.entries.delete(id);
    }
  }
}
