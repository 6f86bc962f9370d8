/** Reconnect backoff: doubling, capped, equal jitter from the injected randomness. */
import { describe, expect, it } from 'vitest';
import type { RandomSource } from '../../protocol/random.ts';
import { LinkConfigError } from '../../node-runtime/links/errors.ts';
import { Backoff } from '../../node-runtime/links/serial/backoff.ts';

/** Returns the same two bytes every time: 0x0000 gives the floor, 0xffff almost the ceiling. */
const fixed = (hi: number, lo: number): RandomSource => ({ bytes: (n) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? hi : lo)) });

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap, half fixed and half random', () => {
    const low = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000 }, fixed(0, 0));
    expect(Array.from({ length: 7 }, () => low.nextDelayMs())).toEqual([50, 100, 200, 400, 500, 500, 500]);
    const high = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000 }, fixed(0xff, 0xff));
    const delays = Array.from({ length: 6 }, () => high.nextDelayMs());
    expect(delays.map((d) => Math.round(d))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(delays.every((d, i) => d < [100, 200, 400, 800, 1000, 1000][i]!)).toBe(true);
    const half = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000 }, fixed(0x80, 0));
    expect(half.nextDelayMs()).toBe(75);
  });

  it('starts over after reset()', () => {
    const b = new Backoff({ initialDelayMs: 10, maxDelayMs: 80 }, fixed(0, 0));
    b.nextDelayMs();
    b.nextDelayMs();
    b.reset();
    expect(b.nextDelayMs()).toBe(5);
  });

  it('does not overflow after many attempts', () => {
    const b = new Backoff({ initialDelayMs: 1, maxDelayMs: 10_000 }, fixed(0, 0));
    for (let i = 0; i < 5000; i++) b.nextDelayMs();
    expect(b.nextDelayMs()).toBe(5000);
  });

  it('refuses nonsensical settings', () => {
    expect(() => new Backoff({ initialDelayMs: 0, maxDelayMs: 10 }, fixed(0, 0))).toThrow(LinkConfigError);
    expect(() => new Backoff({ initialDelayMs: 20, maxDelayMs: 10 }, fixed(0, 0))).toThrow(LinkConfigError);
  });
});
