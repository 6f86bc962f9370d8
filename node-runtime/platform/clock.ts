/**
 * Time is injected (STYLE.md rule 7). The router, scheduler, stores and
 * relay take a Clock; the daemon passes systemClock, the simulator a
 * simulated clock that jumps from timer to timer.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch (simulated clocks may start anywhere). */
  now(): number;
  /** Runs fn once after `delayMs`; the handle cancels it. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

/** The real clock: the one place Date.now() and setTimeout are used. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};
