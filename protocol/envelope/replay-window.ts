/**
 * Sliding-window replay filter over message counters (RFC 6479 / IPsec
 * anti-replay, section 3.4.3 of RFC 4303): it remembers the highest counter
 * accepted and a bitmap of the WINDOW counters below it, so messages that
 * arrive out of order or after a loss are accepted once, and any counter
 * accepted before, or older than the window, is refused.
 *
 * Only mark() changes state, and the session calls it after the AEAD tag
 * verified: an attacker cannot move the window with forged counters.
 */
export const REPLAY_WINDOW_SIZE = 128;
const WINDOW_MASK = (1n << BigInt(REPLAY_WINDOW_SIZE)) - 1n;

export type ReplayVerdict = 'fresh' | 'seen' | 'too-old';

export class ReplayWindow {
  /** Highest counter accepted so far, or -1 before the first. */
  private highestCounter: number;
  /** Bit i set = counter (highest - i) accepted. */
  private seen: bigint;

  constructor(highest = -1, bitmap = 0n) {
    this.highestCounter = highest;
    this.seen = bitmap & WINDOW_MASK;
  }

  get highest(): number {
    return this.highestCounter;
  }

  get bitmap(): bigint {
    return this.seen;
  }

  check(counter: number): ReplayVerdict {
    if (counter > this.highestCounter) return 'fresh';
    const distance = this.highestCounter - counter;
    if (distance >= REPLAY_WINDOW_SIZE) return 'too-old';
    return (this.seen >> BigInt(distance)) & 1n ? 'seen' : 'fresh';
  }

  /** Records an authentic counter; call only after check() said 'fresh'. */
  mark(counter: number): void {
    if (counter > this.highestCounter) {
      const shift = counter - this.highestCounter;
      this.seen = shift >= REPLAY_WINDOW_SIZE ? 1n : ((this.seen << BigInt(shift)) | 1n) & WINDOW_MASK;
      this.highestCounter = counter;
    } else {
      this.seen |= 1n << BigInt(this.highestCounter - counter);
    }
  }
}
