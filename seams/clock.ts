/**
 * Time is injected (STYLE.md rule 7). The router, scheduler, stores and
 * relay take a Clock; the daemon passes systemClock
 * (node-runtime/platform/clock.ts), the simulator a simulated clock that
 * jumps from timer to timer (node-runtime/platform/sim-clock.ts).
 *
 * Contract: `now()` never goes backwards; a timer fires at most once, never
 * before `delayMs` has passed on this clock, and never after `cancel()`.
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
