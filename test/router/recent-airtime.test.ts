import { describe, expect, it } from 'vitest';
import { RecentAirtime } from '../../node-runtime/router/recent-airtime.ts';

describe('RecentAirtime', () => {
  it('sums the airtime of frames ended inside the window and forgets older ones', () => {
    const r = new RecentAirtime(10_000);
    expect(r.use(0)).toBe(0);
    r.note(1_000, 500);
    r.note(2_000, 1_500);
    expect(r.use(2_000)).toBeCloseTo(0.2, 10);
    // The frame that ended at 1 000 leaves the window at 11 000.
    expect(r.use(10_999)).toBeCloseTo(0.2, 10);
    expect(r.use(11_000)).toBeCloseTo(0.15, 10);
    expect(r.use(12_000)).toBe(0);
  });

  it('caps at 1 and stays exact over many frames (compaction)', () => {
    const r = new RecentAirtime(1_000);
    for (let t = 1; t <= 5_000; t++) r.note(t * 10, 30);
    expect(r.use(50_000)).toBe(1);
    // 100 frames of 30 ms in the last second: 3 s of airtime, capped.
    r.note(60_000, 100);
    expect(r.use(60_000)).toBeCloseTo(0.1, 10);
  });
});
