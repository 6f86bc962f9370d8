/**
 * One epoch of a conversation: the keys derived from one root of the chain
 * (key-schedule.ts), the next counter to send, and the replay window of
 * counters received. An epoch ends at the next Ekp rotation; its secrets
 * are wiped once the grace window for late messages has passed.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { type EpochKeys, epochKeys } from './key-schedule.ts';
import { ReplayWindow } from '../envelope/replay-window.ts';

export class Epoch {
  private derived: EpochKeys | undefined;

  private constructor(
    private readonly suite: CryptoSuite,
    private readonly lowSide: boolean,
    /** Generation: 0 at session start, +1 per committed Ekp rotation; both sides agree on it. */
    readonly number: number,
    readonly root: Uint8Array,
    /** Next counter this side will send under this epoch. */
    public sendCounter: number,
    readonly window: ReplayWindow,
  ) {}

  static fromRoot(
    suite: CryptoSuite, number: number, root: Uint8Array, lowSide: boolean,
    sendCounter = 0, window = new ReplayWindow(),
  ): Epoch {
    return new Epoch(suite, lowSide, number, root, sendCounter, window);
  }

  /** Derived on first use, so restoring many stored sessions costs no HKDF until one is used. */
  get keys(): EpochKeys {
    this.derived ??= epochKeys(this.suite, this.root, this.lowSide);
    return this.derived;
  }

  /** Public view for logs: never the root or keys. */
  toJSON(): unknown {
    return { number: this.number, sendCounter: this.sendCounter, highestReceived: this.window.highest, secrets: '[secret redacted]' };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): unknown {
    return this.toJSON();
  }

  /** Overwrites every secret of this epoch (forward secrecy once it is no longer needed). */
  wipe(): void {
    this.root.fill(0);
    const k = this.derived;
    if (!k) return;
    k.sendKey.fill(0);
    k.receiveKey.fill(0);
    k.presenceSendKey.fill(0);
    k.presenceReceiveKey.fill(0);
    k.headerSendKey.fill(0);
    k.headerReceiveKey.fill(0);
  }
}
