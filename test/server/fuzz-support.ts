/**
 * Fuzzing helpers for the relay decoders: a fast deterministic PRNG for
 * input generation (xorshift128+, test only) and a driver that feeds a
 * decoder random bytes, every truncation and bit/byte mutations of valid
 * inputs, checking the decoder contract on each (never throws, a known
 * error code, an offset inside the input).
 */
import { expect } from 'vitest';
import type { DecodeResult } from '../../protocol/codec/result.ts';

const CODES = new Set(['truncated', 'trailing-bytes', 'too-long', 'bad-version', 'bad-kind', 'bad-value', 'bad-signature',
  'bad-mac', 'bad-key', 'bad-encoding', 'bad-checksum']);

export class FastRandom {
  private s0: number;
  private s1: number;
  constructor(seed: number) {
    this.s0 = seed | 0 || 1;
    this.s1 = (seed * 2654435761) | 0 || 2;
  }
  u32(): number {
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    this.s1 = x;
    return (this.s0 + this.s1) >>> 0;
  }
  below(n: number): number {
    return this.u32() % n;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

export interface FuzzStats {
  inputs: number;
  accepted: number;
}

/**
 * Runs at least `total` inputs through `decode`: every truncation of every
 * valid sample, then random bytes (a third), mutated samples (the rest).
 * `onOk` may check more of an accepted value (round trip).
 */
export function fuzzDecoder<T>(
  decode: (bytes: Uint8Array) => DecodeResult<T>, samples: readonly Uint8Array[], total: number, seed: number,
  onOk?: (value: T, bytes: Uint8Array) => void, prefix?: Uint8Array,
): FuzzStats {
  const rnd = new FastRandom(seed);
  const stats: FuzzStats = { inputs: 0, accepted: 0 };
  const check = (bytes: Uint8Array): void => {
    stats.inputs++;
    let r: DecodeResult<T>;
    try {
      r = decode(bytes);
    } catch (e) {
      throw new Error(`decoder threw on ${Buffer.from(bytes).toString('hex')}: ${String(e)}`);
    }
    if (r.ok) {
      stats.accepted++;
      onOk?.(r.value, bytes);
    } else if (!CODES.has(r.code) || r.offset < 0 || r.offset > bytes.length) {
      expect.fail(`bad error ${r.code}@${r.offset} for ${bytes.length} bytes`);
    }
  };
  for (const s of samples) for (let n = 0; n < s.length; n++) check(s.subarray(0, n));
  const withPrefix = (b: Uint8Array): Uint8Array => {
    if (!prefix) return b;
    const out = new Uint8Array(prefix.length + b.length);
    out.set(prefix);
    out.set(b, prefix.length);
    return out;
  };
  while (stats.inputs < total) {
    const pick = rnd.below(3);
    if (pick === 0 || samples.length === 0) {
      check(withPrefix(rnd.bytes(rnd.below(300))));
      continue;
    }
    const base = samples[rnd.below(samples.length)]!;
    const m = base.slice();
    const edits = 1 + rnd.below(4);
    for (let e = 0; e < edits && m.length > 0; e++) {
      const at = rnd.below(m.length);
      switch (rnd.below(4)) {
        case 0: m[at]! ^= 1 << rnd.below(8); break;
        case 1: m[at] = rnd.u32() & 0xff; break;
        case 2: m[at] = 0xff; break;
        default: m[at] = 0; break;
      }
    }
    check(rnd.below(8) === 0 ? m.subarray(0, rnd.below(m.length + 1)) : m);
  }
  return stats;
}

/** Byte equality that fails the test with both values in hex (cheaper than expect() in a 100k loop). */
export function mustEqual(actual: Uint8Array, expected: Uint8Array): void {
  let same = actual.length === expected.length;
  for (let i = 0; same && i < actual.length; i++) same = actual[i] === expected[i];
  if (!same) expect.fail(`bytes differ:\n  ${Buffer.from(actual).toString('hex')}\n  ${Buffer.from(expected).toString('hex')}`);
}
