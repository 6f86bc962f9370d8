import { describe, expect, it } from 'vitest';
import { AirtimeBudget } from '../../node-runtime/router/airtime-budget.ts';
import { HintReputation } from '../../node-runtime/router/tables.ts';

describe('HintReputation: black holes on the path', () => {
  const path = (...hints: number[]): Uint8Array => new Uint8Array(hints);

  it('a relay on a 2-hop path that lost two messages and never carried is suspect, for 15 minutes', () => {
    const r = new HintReputation();
    r.record(path(7, 8), false, 0);
    expect(r.suspect(path(7), 1)).toBe(false);
    r.record(path(7, 8), false, 1000);
    expect(r.suspect(path(1, 7), 2000)).toBe(true);
    expect(r.suspect(path(7), 1000 + 15 * 60_000 + 1)).toBe(false);
  });

  it('one loss on a long path does not mark its relays; a relay that ever carried is not suspect', () => {
    const r = new HintReputation();
    const long = path(...Array.from({ length: 20 }, (_, i) => i));
    r.record(long, false, 0);
    r.record(long, false, 1);
    expect(r.suspect(long, 2)).toBe(false);
    r.record(path(30), true, 3);
    r.record(path(30), false, 4);
    r.record(path(30), false, 5);
    expect(r.suspect(path(30), 6)).toBe(false);
  });
});

describe('AirtimeBudget', () => {
  it('spends up to its burst, then refills at its share of the time', () => {
    const b = new AirtimeBudget(0.01, 3000, 0);
    expect(b.spend(2000, 0)).toBe(true);
    expect(b.spend(1500, 0)).toBe(false);
    expect(b.spend(1000, 0)).toBe(true);
    expect(b.spend(500, 10_000)).toBe(false); // 100 ms refilled
    expect(b.spend(500, 60_000)).toBe(true); // 600 ms refilled
    expect(b.spend(3001, 10_000_000)).toBe(false); // never more than the burst
  });
});
