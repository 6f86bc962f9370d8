import { describe, expect, it } from 'vitest';
import { systemClock } from '../../node-runtime/platform/clock.ts';

describe('system clock (node-runtime/platform/clock.ts)', () => {
  it('fires a timer once after its delay, and never after cancel()', async () => {
    const fired: string[] = [];
    const start = systemClock.now();
    systemClock.setTimer(5, () => fired.push('kept'));
    const cancelled = systemClock.setTimer(1, () => fired.push('cancelled'));
    cancelled.cancel();
    cancelled.cancel();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toEqual(['kept']);
    expect(systemClock.now() - start).toBeGreaterThanOrEqual(5);
  });
});
