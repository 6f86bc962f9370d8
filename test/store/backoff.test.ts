/** Retry delays (node-runtime/store/backoff.ts): exact values, bounds, and no NaN or Infinity at the edges. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF } from '../../node-runtime/store/index.ts';
import { uniform } from '../../node-runtime/store/backoff.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { constantRandom } from './helpers.ts';

describe('backoffDelayMs', () => {
  it('doubles from 2 s to a 15 min cap by default, without jitter at a zero draw', () => {
    const zero = constantRandom(0);
    const delays = [1, 2, 3, 4, 5, 9, 10, 11, 100, 1e6].map((a) => backoffDelayMs(a, DEFAULT_BACKOFF, zero));
    expect(delays).toEqual([2000, 4000, 8000, 16000, 32000, 512000, 900000, 900000, 900000, 900000]);
  });

  it('treats 0 attempts like 1 and reads 6 bytes as a 48-bit fraction', () => {
    expect(backoffDelayMs(0, DEFAULT_BACKOFF, constantRandom(0))).toBe(2000);
    expect(uniform(constantRandom(0))).toBe(0);
    expect(uniform(constantRandom(0xff))).toBe(1 - 2 ** -48);
    // Draw just under 1 with jitter 0.5: just over half the ceiling.
    expect(backoffDelayMs(1, DEFAULT_BACKOFF, constantRandom(0xff))).toBe(1000);
  });

  it('stays within [(1 - jitter) * ceiling, ceiling] for any policy and draw', () => {
    const policy = fc
      .record({ baseMs: fc.integer({ min: 0, max: 100_000 }), factor: fc.double({ min: 1, max: 10, noNaN: true }), extra: fc.integer({ min: 0, max: 1e7 }), jitter: fc.double({ min: 0, max: 1, noNaN: true }) })
      .map(({ baseMs, factor, extra, jitter }) => ({ baseMs, factor, maxMs: baseMs + extra, jitter }));
    fc.assert(
      fc.property(policy, fc.integer({ min: 0, max: 5000 }), fc.integer(), (p, attempts, seed) => {
        const delay = backoffDelayMs(attempts, p, new SeededRandom(seed));
        const grown = p.baseMs === 0 ? 0 : p.baseMs * p.factor ** Math.max(0, attempts - 1);
        const ceiling = Math.min(p.maxMs, grown);
        expect(Number.isSafeInteger(delay)).toBe(true);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(delay).toBeGreaterThanOrEqual(Math.floor((1 - p.jitter) * ceiling) - 1);
      }),
      { numRuns: 5000 },
    );
  });

  it('spreads nodes that failed together', () => {
    const random = new SeededRandom('spread');
    const delays = Array.from({ length: 1000 }, () => backoffDelayMs(3, DEFAULT_BACKOFF, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(4000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(8000);
    // 1000 draws over 4001 values: about 885 distinct expected (birthday collisions), all equal if unjittered.
    expect(new Set(delays).size).toBeGreaterThan(800);
  });
});
