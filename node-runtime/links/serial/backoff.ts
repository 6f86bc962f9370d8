/**
 * Reconnect delays for a lost device: exponential, capped, with "equal
 * jitter" (half fixed, half random) so that two nodes that lost power
 * together do not hammer a shared USB hub in lock step. Randomness injected.
 */
import type { RandomSource } from '../../../protocol/random.ts';
import { LinkConfigError } from '../errors.ts';

export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions, private readonly random: RandomSource) {
    const { initialDelayMs, maxDelayMs } = options;
    if (!(initialDelayMs > 0) || !(maxDelayMs >= initialDelayMs)) {
      throw new LinkConfigError(`backoff needs 0 < initialDelayMs <= maxDelayMs, got ${initialDelayMs} and ${maxDelayMs}`);
    }
  }

  /** Delay before the next attempt, in ms; grows with each call until reset(). */
  nextDelayMs(): number {
    const ceiling = Math.min(this.options.maxDelayMs, this.options.initialDelayMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const bytes = this.random.bytes(2);
    const fraction = (((bytes[0] as number) << 8) | (bytes[1] as number)) / 0x10000;
    return ceiling / 2 + fraction * (ceiling / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
