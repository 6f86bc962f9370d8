import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BusyTimeline } from '../../hardware/radio-sim/busy-timeline.ts';

describe('BusyTimeline', () => {
  it('merges overlapping intervals so overlapping frames count once', () => {
    const t = new BusyTimeline();
    t.add(0, 100);
    t.add(50, 150);
    t.add(150, 200); // touching: merged too
    t.add(300, 400);
    t.add(310, 320); // inside
    expect(t.intervalCount).toBe(2);
    expect(t.busyWithin(0, 1_000)).toBe(300);
    expect(t.busyWithin(120, 350)).toBe(130);
    expect(t.utilisation(400, 200)).toBe(0.5);
  });

  it('finds the exact peak of the sliding window', () => {
    const t = new BusyTimeline();
    t.add(0, 30);
    t.add(60, 90);
    t.add(200, 210);
    // Window 100: [0, 100) holds 60 ms busy -> 0.6 at t = 90..100.
    expect(t.peakUtilisation(100, 0, 1_000)).toBeCloseTo(0.6, 12);
    // Only up to t = 50: the window (-50, 50] holds 30 ms.
    expect(t.peakUtilisation(100, 0, 50)).toBeCloseTo(0.3, 12);
  });

  it('peak equals a brute-force scan at 1 ms steps (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 30 })), { maxLength: 25 }), fc.integer({ min: 5, max: 120 }), (steps, windowMs) => {
        const t = new BusyTimeline();
        const busy = new Uint8Array(2_000);
        let at = 0;
        for (const [gap, len] of steps) {
          at += gap;
          t.add(at, at + len);
          busy.fill(1, at, at + len);
        }
        const until = Math.min(busy.length, at + 50);
        let brute = 0;
        for (let end = 0; end <= until; end++) {
          let sum = 0;
          for (let i = Math.max(0, end - windowMs); i < end; i++) sum += busy[i] as number;
          brute = Math.max(brute, sum / windowMs);
        }
        expect(t.peakUtilisation(windowMs, 0, until)).toBeCloseTo(brute, 9);
      }),
      { numRuns: 300 },
    );
  });
});
