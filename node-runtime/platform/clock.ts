/** The real clock: the one place Date.now() and setTimeout are used (STYLE.md rule 7). */
import type { Clock, TimerHandle } from '../../seams/clock.ts';

/**
 * A class rather than `{ cancel: () => clearTimeout(t) }`: a relay arms a
 * timer per forwarded frame, and the nodes run through tsx, whose esbuild
 * transform names every named closure with Object.defineProperty each time
 * it is created (keepNames); a prototype method is named once.
 */
class SystemTimer implements TimerHandle {
  constructor(private readonly timeout: ReturnType<typeof setTimeout>) {}

  cancel(): void {
    clearTimeout(this.timeout);
  }
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref?.();
    return new SystemTimer(t);
  },
};
