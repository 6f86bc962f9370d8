/**
 * Runs Store.expireAll() on the injected clock's timer, so that expired
 * envelopes, expired mailbox messages and seen ids past retention leave the
 * disk without each user of the store writing its own loop. A sweep that
 * fails (a lock held too long, a full disk) is reported and retried at the
 * next tick; a closed store ends the loop.
 */
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import { checkOption } from './args.ts';
import { StoreClosedError } from './errors.ts';
import type { ExpirySummary, Store } from '../../seams/store.ts';

export interface HousekeepingOptions {
  /** Time between sweeps. Default 60 s. */
  readonly intervalMs?: number;
  readonly onSweep?: (summary: ExpirySummary) => void;
  readonly onError?: (error: unknown) => void;
}

export interface Housekeeping {
  /** Sweeps now (and keeps the timer as it is). */
  runNow(): ExpirySummary | undefined;
  /** Idempotent. */
  stop(): void;
}

export function startHousekeeping(store: Store, clock: Clock, options: HousekeepingOptions = {}): Housekeeping {
  const intervalMs = checkOption('intervalMs', options.intervalMs, 60_000);
  let timer: TimerHandle | undefined;
  let stopped = false;

  const sweep = (): ExpirySummary | undefined => {
    try {
      const summary = store.expireAll();
      options.onSweep?.(summary);
      return summary;
    } catch (error) {
      if (error instanceof StoreClosedError) {
        stop();
        return undefined;
      }
      options.onError?.(error);
      return undefined;
    }
  };
  const tick = (): void => {
    if (stopped) return;
    sweep();
    if (!stopped) timer = clock.setTimer(intervalMs, tick);
  };
  const stop = (): void => {
    stopped = true;
    timer?.cancel();
    timer = undefined;
  };
  timer = clock.setTimer(intervalMs, tick);
  return { runNow: sweep, stop };
}
