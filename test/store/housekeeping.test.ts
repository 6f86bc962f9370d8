/** startHousekeeping: sweeps on the injected clock, survives a failed sweep, ends with the store. */
import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { ExpirySummary } from '../../node-runtime/store/index.ts';
import { openStore, startHousekeeping } from '../../node-runtime/store/index.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { id, patterned } from './helpers.ts';

/** A simulated clock whose timers fire when the test advances it. */
class StepClock implements Clock {
  private timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  constructor(private nowMs = 0) {}
  now(): number {
    return this.nowMs;
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const t = { at: this.nowMs + delayMs, fn, live: true };
    this.timers.push(t);
    return { cancel: () => void (t.live = false) };
  }
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      next.live = false;
      this.nowMs = next.at;
      next.fn();
    }
    this.nowMs = end;
  }
  get pending(): number {
    return this.timers.filter((t) => t.live).length;
  }
}

const tag = new Uint8Array([4, 4, 4, 4]);

describe('housekeeping', () => {
  it('sweeps every interval on the injected clock', () => {
    const clock = new StepClock(1000);
    const store = openStore({ path: ':memory:', clock, random: new SeededRandom(1), mailbox: { seenRetentionMs: 10_000 } });
    const sweeps: ExpirySummary[] = [];
    const keeper = startHousekeeping(store, clock, { intervalMs: 1000, onSweep: (s) => sweeps.push(s) });
    store.mailboxes.deposit(tag, id(1), patterned(5, 1), undefined, { expiresAt: 1500 });
    store.mailboxes.deposit(tag, id(2), patterned(5, 2), undefined, { expiresAt: 2500 });
    clock.advance(999);
    expect(sweeps).toEqual([]);
    clock.advance(1);
    expect(sweeps).toEqual([{ outboxExpired: 0, mailboxExpired: 1, seenPurged: 0 }]);
    clock.advance(1000);
    expect(sweeps.map((s) => s.mailboxExpired)).toEqual([1, 1]);
    expect(store.mailboxes.totals().messages).toBe(0);
    keeper.stop();
    keeper.stop();
    expect(clock.pending).toBe(0);
    store.close();
  });

  it('reports a failed sweep and keeps going; stops by itself when the store closes', () => {
    const clock = new StepClock();
    const store = openStore({ path: ':memory:', clock, random: new SeededRandom(1) });
    const errors: unknown[] = [];
    let failNext = true;
    const flaky = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'expireAll' && failNext) {
          return () => {
            failNext = false;
            throw new Error('disk hiccup');
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const sweeps: ExpirySummary[] = [];
    startHousekeeping(flaky, clock, { intervalMs: 100, onError: (e) => errors.push(e), onSweep: (s) => sweeps.push(s) });
    clock.advance(200);
    expect(errors).toHaveLength(1);
    expect(sweeps).toHaveLength(1);
    store.close();
    clock.advance(100);
    expect(clock.pending).toBe(0);
    expect(errors).toHaveLength(1);
  });
});
