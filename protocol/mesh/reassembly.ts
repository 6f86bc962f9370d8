/**
 * Bounded reassembly of fragmented envelopes (fragment.ts). Memory is capped
 * per source (by the 16-bit source hint) and in total, in partial messages
 * and in bytes, and partials expire: a flood of half-messages from one
 * sender evicts only that sender's partials, and a flood from many evicts
 * the partials of whichever source holds the most bytes, so one Pi's memory
 * use stays below `maxBytesTotal` whatever arrives. Time is passed in.
 *
 * The receiver asks again for what is missing (selective repeat) with
 * `requestsDue`: a partial that has been quiet for `requestAfterMs` yields
 * one fragment request bitmap, at most `maxRequests` times.
 */
import type { Fragment } from './fragment.ts';
import { DEFAULT_MAX_ENVELOPE_BYTES } from './fragment.ts';
import { DuplicateCache } from './dedup.ts';

export interface ReassemblyLimits {
  readonly maxEnvelopeBytes: number;
  readonly maxPartialsPerSource: number;
  readonly maxBytesPerSource: number;
  readonly maxPartialsTotal: number;
  readonly maxBytesTotal: number;
  /** A partial with no new fragment for this long is dropped. */
  readonly timeoutMs: number;
  /** Quiet time before the receiver asks for the missing fragments. */
  readonly requestAfterMs: number;
  readonly maxRequests: number;
}

export const DEFAULT_REASSEMBLY: ReassemblyLimits = {
  maxEnvelopeBytes: DEFAULT_MAX_ENVELOPE_BYTES,
  maxPartialsPerSource: 4,
  maxBytesPerSource: 4 * DEFAULT_MAX_ENVELOPE_BYTES,
  maxPartialsTotal: 64,
  maxBytesTotal: 256 * 1024,
  timeoutMs: 5 * 60_000,
  requestAfterMs: 20_000,
  maxRequests: 3,
};

interface Partial<C> {
  readonly sourceHint: number;
  readonly messageId: number;
  readonly count: number;
  chunkBytes: number | undefined;
  readonly chunks: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
  readonly firstAtMs: number;
  lastAtMs: number;
  requests: number;
  /** Caller's data (the route back to the sender). */
  context: C;
}

export type ReassemblyOutcome =
  | { readonly status: 'complete'; readonly envelope: Uint8Array; readonly sourceHint: number; readonly messageId: number }
  | { readonly status: 'partial' }
  | { readonly status: 'duplicate' }
  | { readonly status: 'rejected'; readonly reason: string };

export interface FragmentRequestDue<C> {
  readonly sourceHint: number;
  readonly messageId: number;
  readonly missing: number;
  readonly context: C;
}

export interface ReassemblyStats {
  partials: number;
  bytes: number;
  completed: number;
  evicted: number;
  expired: number;
  rejected: number;
}

function keyOf(sourceHint: number, messageId: number): string {
  return `${sourceHint}:${messageId}`;
}

export class Reassembler<C = undefined> {
  private readonly partials = new Map<string, Partial<C>>();
  /** Messages completed recently: a late copy of one of their fragments is a duplicate, not a new partial. */
  private readonly completed: DuplicateCache<true>;
  private totalBytes = 0;
  private readonly counters = { completed: 0, evicted: 0, expired: 0, rejected: 0 };

  constructor(private readonly limits: ReassemblyLimits = DEFAULT_REASSEMBLY) {
    this.completed = new DuplicateCache<true>({ maxEntries: 1024, maxAgeMs: limits.timeoutMs });
  }

  stats(): ReassemblyStats {
    return { partials: this.partials.size, bytes: this.totalBytes, ...this.counters };
  }

  accept(f: Fragment, nowMs: number, context: C): ReassemblyOutcome {
    this.expire(nowMs);
    const key = keyOf(f.sourceHint, f.messageId);
    const doneKey = ((f.sourceHint * 0x9e3779b1) ^ f.messageId) >>> 0;
    if (this.completed.has(doneKey, nowMs)) return { status: 'duplicate' };
    let p = this.partials.get(key);
    if (p !== undefined && p.count !== f.count) return this.reject('fragment count changed');
    const isLast = f.index === f.count - 1;
    const chunkBytes = isLast ? p?.chunkBytes : f.chunk.length;
    if (p?.chunkBytes !== undefined && !isLast && f.chunk.length !== p.chunkBytes) return this.reject('chunk size changed');
    if (chunkBytes !== undefined) {
      const lastBytes = isLast ? f.chunk.length : p?.chunks[f.count - 1]?.length ?? 1;
      if (isLast && f.chunk.length > chunkBytes) return this.reject('last chunk longer than the others');
      if ((f.count - 1) * chunkBytes + lastBytes > this.limits.maxEnvelopeBytes) return this.reject('envelope over the cap');
    }
    if (p === undefined) {
      if (f.chunk.length * (isLast ? 1 : f.count - 1) > this.limits.maxEnvelopeBytes) return this.reject('envelope over the cap');
      this.makeRoom(f.sourceHint, f.chunk.length);
      p = {
        sourceHint: f.sourceHint, messageId: f.messageId, count: f.count, chunkBytes: undefined,
        chunks: new Array<Uint8Array | undefined>(f.count).fill(undefined),
        received: 0, bytes: 0, firstAtMs: nowMs, lastAtMs: nowMs, requests: 0, context,
      };
      this.partials.set(key, p);
    } else if (p.chunks[f.index] !== undefined) {
      return { status: 'duplicate' };
    } else {
      this.makeRoom(f.sourceHint, f.chunk.length, p);
      if (!this.partials.has(key)) return this.reject('no room');
    }
    if (!isLast) p.chunkBytes = f.chunk.length;
    p.chunks[f.index] = f.chunk.slice();
    p.received++;
    p.bytes += f.chunk.length;
    this.totalBytes += f.chunk.length;
    p.lastAtMs = nowMs;
    p.context = context;
    if (p.received < p.count) return { status: 'partial' };
    this.remove(key, p);
    this.counters.completed++;
    this.completed.set(doneKey, true, nowMs);
    const envelope = new Uint8Array(p.bytes);
    let at = 0;
    for (const c of p.chunks) {
      envelope.set(c as Uint8Array, at);
      at += (c as Uint8Array).length;
    }
    return { status: 'complete', envelope, sourceHint: p.sourceHint, messageId: p.messageId };
  }

  /** Partials quiet for requestAfterMs: what to ask again for (bit i = fragment i missing). */
  requestsDue(nowMs: number): FragmentRequestDue<C>[] {
    this.expire(nowMs);
    const due: FragmentRequestDue<C>[] = [];
    for (const p of this.partials.values()) {
      if (p.requests >= this.limits.maxRequests) continue;
      if (nowMs - p.lastAtMs < this.limits.requestAfterMs * (p.requests + 1)) continue;
      let missing = 0;
      for (let i = 0; i < p.count; i++) if (p.chunks[i] === undefined) missing |= 1 << i;
      p.requests++;
      due.push({ sourceHint: p.sourceHint, messageId: p.messageId, missing: missing >>> 0, context: p.context });
    }
    return due;
  }

  /** Drops partials idle for longer than timeoutMs. */
  expire(nowMs: number): void {
    for (const [key, p] of this.partials) {
      if (nowMs - p.lastAtMs > this.limits.timeoutMs) {
        this.remove(key, p);
        this.counters.expired++;
      }
    }
  }

  private reject(reason: string): ReassemblyOutcome {
    this.counters.rejected++;
    return { status: 'rejected', reason };
  }

  private remove(key: string, p: Partial<C>): void {
    if (this.partials.delete(key)) this.totalBytes -= p.bytes;
  }

  /** Evicts until `addBytes` more from `sourceHint` fit every cap (never evicts `keep`). */
  private makeRoom(sourceHint: number, addBytes: number, keep?: Partial<C>): void {
    const L = this.limits;
    for (;;) {
      let sourceCount = 0;
      let sourceBytes = 0;
      let sourceOldest: [string, Partial<C>] | undefined;
      for (const entry of this.partials) {
        const p = entry[1];
        if (p.sourceHint !== sourceHint) continue;
        sourceCount++;
        sourceBytes += p.bytes;
        if (p !== keep && (sourceOldest === undefined || p.lastAtMs < sourceOldest[1].lastAtMs)) sourceOldest = entry;
      }
      const newPartial = keep === undefined ? 1 : 0;
      const sourceOver = sourceCount + newPartial > L.maxPartialsPerSource || sourceBytes + addBytes > L.maxBytesPerSource;
      const totalOver = this.partials.size + newPartial > L.maxPartialsTotal || this.totalBytes + addBytes > L.maxBytesTotal;
      if (!sourceOver && !totalOver) return;
      const victim = sourceOver ? sourceOldest : this.heaviestSourceOldest(keep);
      if (victim === undefined) {
        // Only `keep` is left to evict: drop it so the caller sees "no room".
        if (keep !== undefined) this.remove(keyOf(keep.sourceHint, keep.messageId), keep);
        this.counters.evicted++;
        return;
      }
      this.remove(victim[0], victim[1]);
      this.counters.evicted++;
    }
  }

  private heaviestSourceOldest(keep?: Partial<C>): [string, Partial<C>] | undefined {
    const bytesBySource = new Map<number, number>();
    for (const p of this.partials.values()) bytesBySource.set(p.sourceHint, (bytesBySource.get(p.sourceHint) ?? 0) + p.bytes);
    let heaviest: number | undefined;
    let most = -1;
    for (const [source, bytes] of bytesBySource) if (bytes > most) { most = bytes; heaviest = source; }
    let oldest: [string, Partial<C>] | undefined;
    for (const entry of this.partials) {
      const p = entry[1];
      if (p === keep || p.sourceHint !== heaviest) continue;
      if (oldest === undefined || p.lastAtMs < oldest[1].lastAtMs) oldest = entry;
    }
    if (oldest !== undefined) return oldest;
    for (const entry of this.partials) if (entry[1] !== keep) return entry;
    return undefined;
  }
}
