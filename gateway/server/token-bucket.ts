/**
 * Token buckets keyed by source or mailbox (antispam, whitepaper 6.2/6.3).
 * Memory is bounded: past `maxKeys` the least recently refilled key is
 * forgotten (a forgotten key starts full again, which only errs towards
 * serving). Buckets live in memory: a restart refills them, by design.
 */
import type { TokenBucketSpec } from './config.ts';

interface Bucket {
  tokens: number;
  atMs: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly spec: TokenBucketSpec, private readonly maxKeys: number) {}

  /** Takes `cost` tokens from `key`'s bucket; false (and nothing taken) when there are not enough. */
  take(key: string, nowMs: number, cost = 1): boolean {
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key);
      // A clock stepping back (NTP, a simulated clock) refills nothing and takes nothing.
      const elapsedMs = Math.max(0, nowMs - b.atMs);
      b.tokens = Math.min(this.spec.capacity, b.tokens + (elapsedMs / 1000) * this.spec.refillPerSecond);
      b.atMs = Math.max(b.atMs, nowMs);
    } else {
      b = { tokens: this.spec.capacity, atMs: nowMs };
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
    }
    // Re-insert so that Map order is least recently used first.
    this.buckets.set(key, b);
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    return true;
  }

  /** Gives back `cost` tokens taken for work that turned out to cost nothing (a duplicate); capped at capacity. */
  give(key: string, nowMs: number, cost = 1): void {
    const b = this.buckets.get(key);
    if (!b) return;
    b.tokens = Math.min(this.spec.capacity, b.tokens + cost);
    b.atMs = Math.max(b.atMs, nowMs);
  }

  get size(): number {
    return this.buckets.size;
  }
}
