/**
 * The regional duty cycle counts any hour, reboots included (ETSI EN 300
 * 220): a node that restarts must not spend its budget twice. The limiter's
 * recent transmissions are saved to the data directory on shutdown and every
 * minute, and recorded back into the fresh limiter on start.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { DutyCycleLimiter } from '../../node-runtime/scheduler/duty-cycle.ts';

const SAVE_EVERY_MS = 60_000;

export interface AirtimeHistory {
  save(): void;
  stop(): void;
}

export function keepAirtimeHistory(limiter: DutyCycleLimiter, path: string, clock: Clock): AirtimeHistory {
  try {
    const spans = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (Array.isArray(spans)) {
      const now = clock.now();
      for (const s of spans as { startMs?: unknown; airtimeMs?: unknown }[]) {
        // Only plausible spans: a corrupt or future entry must not block the radio forever.
        if (typeof s.startMs === 'number' && typeof s.airtimeMs === 'number' && s.airtimeMs > 0 && s.airtimeMs < 60_000 && s.startMs <= now) {
          limiter.record(s.startMs, s.airtimeMs);
        }
      }
    }
  } catch {
    // No history yet (first start) or unreadable: start from an empty window.
  }
  const save = (): void => {
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(limiter.history(clock.now())));
    renameSync(tmp, path);
  };
  let timer: TimerHandle | undefined;
  const tick = (): void => {
    save();
    timer = clock.setTimer(SAVE_EVERY_MS, tick);
  };
  timer = clock.setTimer(SAVE_EVERY_MS, tick);
  return {
    save,
    stop() {
      timer?.cancel();
      save();
    },
  };
}
