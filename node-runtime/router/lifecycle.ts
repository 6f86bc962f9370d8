/**
 * The router's open/closed state and its timers: every timer a part of the
 * router sets goes through after(), so close() cancels them all and a timer
 * that fires after close does nothing. One per router (STYLE.md rule 8).
 */
import type { Clock, TimerHandle } from '../../seams/clock.ts';

export class Lifecycle {
  private readonly timers = new Set<TimerHandle>();
  private isClosed = false;

  constructor(private readonly clock: Clock) {}

  get closed(): boolean {
    return this.isClosed;
  }

  after(delayMs: number, fn: () => void): TimerHandle {
    const handle: TimerHandle = this.clock.setTimer(delayMs, () => {
      this.timers.delete(wrapper);
      if (!this.isClosed) fn();
    });
    const wrapper: TimerHandle = { cancel: () => { this.timers.delete(wrapper); handle.cancel(); } };
    this.timers.add(wrapper);
    return wrapper;
  }

  /** Marks the router closed and cancels every pending timer. */
  close(): void {
    this.isClosed = true;
    for (const t of [...this.timers]) t.cancel();
  }
}
