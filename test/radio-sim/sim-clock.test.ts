import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { SimClockError } from '../../node-runtime/platform/errors.ts';

describe('SimClock', () => {
  it('starts where asked and fires timers in time order, ties in insertion order', async () => {
    const clock = new SimClock({ startMs: 1_000 });
    expect(clock.now()).toBe(1_000);
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push(`c@${clock.now()}`));
    clock.setTimer(10, () => fired.push(`a@${clock.now()}`));
    clock.setTimer(10, () => fired.push(`b@${clock.now()}`));
    clock.setTimer(0, () => fired.push(`z@${clock.now()}`));
    await clock.runUntil(1_020);
    expect(fired).toEqual(['z@1000', 'a@1010', 'b@1010']);
    expect(clock.now()).toBe(1_020);
    await clock.advance(10);
    expect(fired).toEqual(['z@1000', 'a@1010', 'b@1010', 'c@1030']);
    expect(clock.now()).toBe(1_030);
  });

  it('cancels timers, and a cancel after firing is harmless', async () => {
    const clock = new SimClock();
    const fired: number[] = [];
    const h1 = clock.setTimer(5, () => fired.push(1));
    const h2 = clock.setTimer(6, () => fired.push(2));
    h1.cancel();
    h1.cancel();
    expect(clock.pendingTimers()).toBe(1);
    await clock.runUntilIdle();
    h2.cancel();
    expect(fired).toEqual([2]);
    expect(clock.pendingTimers()).toBe(0);
    expect(clock.now()).toBe(6);
  });

  it('runs timers set by timers, at their own due time, within the same run', async () => {
    const clock = new SimClock();
    const at: number[] = [];
    const tick = (): void => {
      at.push(clock.now());
      if (at.length < 5) clock.setTimer(100, tick);
    };
    clock.setTimer(100, tick);
    expect(await clock.runUntilIdle()).toBe(true);
    expect(at).toEqual([100, 200, 300, 400, 500]);
  });

  it('runUntilIdle stops at maxMs for timers that never stop', async () => {
    const clock = new SimClock();
    let n = 0;
    const tick = (): void => {
      n++;
      clock.setTimer(1_000, tick);
    };
    clock.setTimer(1_000, tick);
    expect(await clock.runUntilIdle(10_500)).toBe(false);
    expect(n).toBe(10);
    expect(clock.now()).toBe(10_000);
  });

  it('lets promise continuations run at the simulated instant that settled them', async () => {
    const clock = new SimClock();
    const sleep = (ms: number): Promise<void> => new Promise((r) => clock.setTimer(ms, r));
    const seen: number[] = [];
    const worker = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        await sleep(50);
        await Promise.resolve();
        seen.push(clock.now());
      }
    };
    const done = worker();
    await clock.runUntilIdle();
    await done;
    expect(seen).toEqual([50, 100, 150]);
  });

  it('autoRun lets code await simulated delays with nobody driving the clock', async () => {
    const clock = new SimClock();
    const stop = clock.autoRun();
    const sleep = (ms: number): Promise<void> => new Promise((r) => clock.setTimer(ms, r));
    await sleep(60_000);
    await sleep(1);
    expect(clock.now()).toBe(60_001);
    stop();
    let fired = false;
    clock.setTimer(5, () => (fired = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false); // stopped: time no longer moves by itself
    await clock.advance(5);
    expect(fired).toBe(true);
  });

  it('does not accumulate cancelled timers (a re-armed far-future wake-up)', () => {
    const clock = new SimClock();
    let wake = clock.setTimer(1e9, () => {});
    for (let i = 0; i < 100_000; i++) {
      wake.cancel();
      wake = clock.setTimer(1e9 - i, () => {});
    }
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.heapSize()).toBeLessThan(3_000);
    let fired = 0;
    clock.setTimer(5, () => fired++);
    clock.runUntilIdleSync();
    expect(fired).toBe(1);
    expect(clock.now()).toBe(1e9 - 99_999);
  });

  it('refuses to run backwards or to a non-finite time', async () => {
    const clock = new SimClock({ startMs: 50 });
    await expect(clock.runUntil(10)).rejects.toBeInstanceOf(SimClockError);
    expect(() => clock.runUntilSync(Number.NaN)).toThrow(SimClockError);
    expect(() => clock.setTimer(Number.POSITIVE_INFINITY, () => {})).toThrow(expect.objectContaining({ code: 'invalid-delay' }));
  });

  it('negative delays fire now, not in the past', () => {
    const clock = new SimClock({ startMs: 100 });
    let at = -1;
    clock.setTimer(-20, () => (at = clock.now()));
    clock.runUntilIdleSync();
    expect(at).toBe(100);
  });

  it('fires any set of timers exactly once in (time, insertion) order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ delay: fc.integer({ min: 0, max: 1_000 }), cancel: fc.boolean() }), { maxLength: 200 }),
        (specs) => {
          const clock = new SimClock();
          const fired: number[] = [];
          specs.forEach((s, i) => {
            const h = clock.setTimer(s.delay, () => {
              expect(clock.now()).toBe(s.delay);
              fired.push(i);
            });
            if (s.cancel) h.cancel();
          });
          clock.runUntilIdleSync();
          const expected = specs
            .map((s, i) => ({ ...s, i }))
            .filter((s) => !s.cancel)
            .sort((a, b) => a.delay - b.delay || a.i - b.i)
            .map((s) => s.i);
          expect(fired).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
