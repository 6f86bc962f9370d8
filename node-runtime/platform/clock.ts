/** The real clock: the one place Date.now() and setTimeout are used (STYLE.md rule 7). */
import type { Clock } from '../../seams/clock.ts';

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};
