import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REGIONS, transmitLimitsFor } from '../../protocol/mesh/regions.ts';
import { DutyCycleLimiter } from '../../node-runtime/scheduler/duty-cycle.ts';
import { SchedulerError } from '../../node-runtime/scheduler/errors.ts';

interface SubBandCase {
  frequencyHz: number; bandwidthHz: number; subBand?: string; budgetMs?: number; maxPowerDbm?: number; refused?: string;
}
interface DwellCase { bandwidthHz: number; dwellBudgetMs: number | null; dwellWindowMs: number | null; maxFrameAirtimeMs: number }

const vectors = (name: string): unknown => JSON.parse(readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8'));

describe('regions: band plans', () => {
  for (const c of vectors('etsi-en300220-2-subbands.json') as SubBandCase[]) {
    it(`EU868 ${c.frequencyHz / 1e6} MHz / ${c.bandwidthHz / 1e3} kHz -> ${c.subBand ?? c.refused}`, () => {
      const r = transmitLimitsFor('EU868', c.frequencyHz, c.bandwidthHz);
      if (c.refused) {
        expect(r).toMatchObject({ ok: false, code: c.refused });
        return;
      }
      if (!r.ok) throw new Error(r.message);
      expect(r.limits.subBand.name).toBe(c.subBand);
      expect(r.limits.subBand.maxPowerDbm).toBe(c.maxPowerDbm);
      expect(r.limits.budgets).toEqual([expect.objectContaining({ budgetMs: c.budgetMs, windowMs: 3_600_000 })]);
      expect(r.limits.maxFrameAirtimeMs).toBeUndefined();
    });
  }

  for (const c of vectors('fcc-15-247-dwell.json') as DwellCase[]) {
    it(`US915 at ${c.bandwidthHz / 1e3} kHz: dwell ${c.dwellBudgetMs ?? 'none'} ms / ${c.dwellWindowMs ?? '-'} ms`, () => {
      const r = transmitLimitsFor('US915', 906_875_000, c.bandwidthHz);
      if (!r.ok) throw new Error(r.message);
      expect(r.limits.maxFrameAirtimeMs).toBe(c.maxFrameAirtimeMs);
      expect(r.limits.budgets).toEqual(
        c.dwellBudgetMs === null ? [] : [expect.objectContaining({ budgetMs: c.dwellBudgetMs, windowMs: c.dwellWindowMs })],
      );
    });
  }

  it('"none" has no limit and EU868 defaults to the 10 % sub-band', () => {
    const none = transmitLimitsFor('none', 433_000_000, 125_000);
    expect(none.ok && none.limits.budgets).toEqual([]);
    const eu = transmitLimitsFor('EU868', REGIONS.EU868.defaultFrequencyHz, 250_000);
    expect(eu.ok && eu.limits.subBand.legacyName).toBe('g3');
  });

  it('forChannel refuses a channel the region forbids', () => {
    expect(() => DutyCycleLimiter.forChannel('EU868', 868_650_000, 25_000)).toThrow(SchedulerError);
    expect(() => DutyCycleLimiter.forChannel('EU868', 868_650_000, 25_000)).toThrow(expect.objectContaining({ code: 'invalid-region' }));
  });
});

describe('DutyCycleLimiter', () => {
  const small = (): DutyCycleLimiter => new DutyCycleLimiter({ budgets: [{ label: 'test 10 %', budgetMs: 100, windowMs: 1_000 }] });

  it('allows up to the budget and computes the exact earliest retry', () => {
    const l = small();
    expect(l.check(0, 60)).toEqual({ allowed: true });
    l.record(0, 60);
    expect(l.check(60, 40)).toEqual({ allowed: true });
    // 60 ms used, 50 more would make 110 in the window ending at t + 50: the window must start at 10,
    // so t = 10 - 50 + 1000 = 960.
    expect(l.check(100, 50)).toEqual({ allowed: false, retryAtMs: 960, budget: 'test 10 %' });
    expect(l.check(959.9, 50).allowed).toBe(false);
    expect(l.check(960, 50)).toEqual({ allowed: true });
  });

  it('keeps a reserve for more important traffic when asked', () => {
    const l = small();
    l.record(0, 85);
    expect(l.check(100, 10, 0.1)).toMatchObject({ allowed: false }); // 85 + 10 > 90
    expect(l.check(100, 10)).toEqual({ allowed: true }); // 85 + 10 <= 100
    // A frame too long for the reduced budget is judged against the whole one, not refused forever.
    expect(small().check(0, 95, 0.1)).toEqual({ allowed: true });
  });

  it('refuses forever a frame longer than the budget or the frame cap', () => {
    expect(small().check(0, 100.5)).toMatchObject({ allowed: false, retryAtMs: undefined });
    const us = DutyCycleLimiter.forChannel('US915', 906_875_000, 125_000);
    expect(us.check(0, 400.01)).toMatchObject({ allowed: false, retryAtMs: undefined });
    expect(us.check(0, 400)).toEqual({ allowed: true });
  });

  it('reports usage per budget', () => {
    const l = DutyCycleLimiter.forChannel('EU868', 868_100_000, 125_000);
    l.record(0, 9_000);
    expect(l.usage(10_000)).toEqual([expect.objectContaining({ usedMs: 9_000, budgetMs: 36_000, fraction: 0.25 })]);
    expect(l.usage(3_600_000 + 4_000)[0]?.usedMs).toBe(5_000);
    expect(l.totalAirtimeMs).toBe(9_000);
    expect(DutyCycleLimiter.unlimited().check(0, 1e9)).toEqual({ allowed: true });
  });

  it('carries its last hour across a restart through history()', () => {
    const before = DutyCycleLimiter.forChannel('EU868', 868_100_000, 125_000);
    before.record(1_000, 20_000);
    before.record(100_000, 15_000);
    before.record(5_000_000, 100); // the window ending at 5.1e6 drops the first two
    expect(before.history(5_000_100)).toEqual([{ startMs: 5_000_000, airtimeMs: 100 }]);
    const live = DutyCycleLimiter.forChannel('EU868', 868_100_000, 125_000);
    live.record(1_000, 20_000);
    live.record(100_000, 15_000);
    const after = DutyCycleLimiter.forChannel('EU868', 868_100_000, 125_000);
    for (const t of live.history(200_000)) after.record(t.startMs, t.airtimeMs);
    expect(after.check(200_000, 1_500)).toEqual(live.check(200_000, 1_500));
    expect(after.check(200_000, 1_500).allowed).toBe(false);
  });

  it('rejects an impossible budget', () => {
    expect(() => new DutyCycleLimiter({ budgets: [{ label: 'x', budgetMs: 2, windowMs: 1 }] })).toThrow(SchedulerError);
  });

  it('greedy use never exceeds the budget in any window and wastes none of it (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 90 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 100, max: 400 }),
        (airtimes, budgetMs) => {
          const windowMs = 2_000;
          const l = new DutyCycleLimiter({ budgets: [{ label: 'b', budgetMs, windowMs }] });
          const spans: [number, number][] = [];
          let t = 0;
          for (const a of airtimes) {
            const d = l.check(t, a);
            if (!d.allowed) {
              expect(d.retryAtMs).toBeGreaterThan(t);
              t = d.retryAtMs as number;
              // The retry instant is allowed, and a microsecond earlier is not (exact, not polled).
              expect(l.check(t - 1e-3, a).allowed).toBe(false);
              expect(l.check(t, a)).toEqual({ allowed: true });
            }
            l.record(t, a);
            spans.push([t, t + a]);
            t += a;
          }
          // Every window's airtime is largest when it ends at a frame's end: check them all.
          for (const [, end] of spans) {
            let used = 0;
            for (const [s, e] of spans) used += Math.max(0, Math.min(e, end) - Math.max(s, end - windowMs));
            expect(used).toBeLessThanOrEqual(budgetMs + 1e-6);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
