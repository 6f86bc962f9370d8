import { describe, expect, it } from 'vitest';
import { pooledRandom, RANDOM_POOLED_MAX, systemRandom } from '../../node-runtime/platform/random.ts';

/** A deterministic fill: the byte stream 0, 1, 2, ... (mod 256), recording each call. */
function counting(): { fill: (into: Uint8Array) => void; calls: Uint8Array[] } {
  let n = 0;
  const calls: Uint8Array[] = [];
  return {
    calls,
    fill(into) {
      calls.push(into);
      for (let i = 0; i < into.length; i++) into[i] = n++ & 0xff;
    },
  };
}

describe('pooled platform randomness (node-runtime/platform/random.ts)', () => {
  it('serves small draws from one fill per pool, in the order the source gave them', () => {
    const src = counting();
    const r = pooledRandom(src.fill, 16);
    expect([...r.bytes(4)]).toEqual([0, 1, 2, 3]);
    expect([...r.bytes(8)]).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(src.calls.length).toBe(1);
    // 4 left in the pool, 5 asked: a new fill, the 4 unserved bytes are never served.
    expect([...r.bytes(5)]).toEqual([16, 17, 18, 19, 20]);
    expect(src.calls.length).toBe(2);
    expect(r.bytes(0).length).toBe(0);
  });

  it('zeroes what it served, so drawn bytes (keys) do not stay in the pool', () => {
    const src = counting();
    const r = pooledRandom(src.fill, 16);
    r.bytes(6);
    const pool = src.calls[0]!;
    expect([...pool.subarray(0, 6)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...pool.subarray(6, 8)]).toEqual([6, 7]);
  });

  it('draws larger than the pool or than the pooled maximum go straight to the source', () => {
    const src = counting();
    const r = pooledRandom(src.fill, 16);
    expect(r.bytes(20).length).toBe(20);
    expect(src.calls.length).toBe(1);
    expect(src.calls[0]!.length).toBe(20);
    const big = pooledRandom(counting().fill);
    expect(big.bytes(RANDOM_POOLED_MAX + 1).length).toBe(RANDOM_POOLED_MAX + 1);
  });

  it('the system source returns fresh bytes of the asked length', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) seen.add(Buffer.from(systemRandom.bytes(8)).toString('hex'));
    expect(seen.size).toBe(3000);
    expect(systemRandom.bytes(1000).length).toBe(1000);
    const key = systemRandom.bytes(32);
    expect(key.some((b) => b !== 0)).toBe(true);
  });
});
