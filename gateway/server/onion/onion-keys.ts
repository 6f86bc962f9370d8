/**
 * The keys a relay peels onions with (docs/PROTOCOL.md "Matriochka message
 * packing", "Key rotation"; Sphinx section 3.4 on replay detection). One
 * key per period, drawn from the injected randomness and kept in memory
 * only: a key forgotten cannot be forced out of the relay later (forward
 * secrecy per period). The previous key stays usable for one more period,
 * so onions built from a descriptor fetched just before a rotation peel.
 * Each key keeps the replay tags of the packets it peeled, bounded, and
 * drops them with itself: a replay of an old packet fails the MAC instead.
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { KEY_BYTES } from '../../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { OnionKeyAnnouncement } from '../../../protocol/server/descriptor-onion.ts';

export interface OnionKey {
  readonly secret: Uint8Array;
  readonly publicKey: Uint8Array;
  /** Start of its period on the relay's clock, ms. */
  readonly fromMs: number;
  /** Announced until fromMs + periodMs; peeled until one period later. */
  readonly untilMs: number;
  readonly tags: Set<string>;
}

export interface OnionKeyRingOptions {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  /** Length of a key period, ms. Default one day. */
  readonly periodMs?: number;
  /** Replay tags kept per key; beyond it, new packets are refused until the next period. */
  readonly maxTagsPerKey?: number;
}

export const DEFAULT_ONION_KEY_PERIOD_MS = 86_400_000;
export const DEFAULT_MAX_TAGS_PER_KEY = 1_000_000;

export type RememberResult = 'new' | 'replayed' | 'full';

export class OnionKeyRing {
  readonly periodMs: number;
  private readonly maxTags: number;
  private keys: OnionKey[] = [];

  constructor(private readonly o: OnionKeyRingOptions, nowMs: number) {
    this.periodMs = o.periodMs ?? DEFAULT_ONION_KEY_PERIOD_MS;
    this.maxTags = o.maxTagsPerKey ?? DEFAULT_MAX_TAGS_PER_KEY;
    this.keys = [this.fresh(nowMs)];
  }

  private fresh(fromMs: number): OnionKey {
    const secret = this.o.random.bytes(KEY_BYTES);
    return { secret, publicKey: this.o.suite.x25519PublicKey(secret), fromMs, untilMs: fromMs + this.periodMs, tags: new Set() };
  }

  /** Rotates when the current period ended; drops (and wipes) keys past their grace. True when the key changed. */
  tick(nowMs: number): boolean {
    let changed = false;
    while (nowMs >= (this.keys[0] as OnionKey).untilMs) {
      this.keys.unshift(this.fresh((this.keys[0] as OnionKey).untilMs));
      changed = true;
    }
    const keep = this.keys.filter((k) => nowMs < k.untilMs + this.periodMs);
    for (const k of this.keys) if (!keep.includes(k)) k.secret.fill(0);
    this.keys = keep;
    return changed;
  }

  /** What the descriptor announces: the current key and the end of its period. */
  announcement(): OnionKeyAnnouncement {
    const k = this.keys[0] as OnionKey;
    return { key: k.publicKey, validUntilSec: Math.floor(k.untilMs / 1000) };
  }

  /** Start of the current key's period, in seconds. */
  currentFromSec(): number {
    return Math.floor((this.keys[0] as OnionKey).fromMs / 1000);
  }

  /** Keys to try, newest first. */
  candidates(nowMs: number): readonly OnionKey[] {
    this.tick(nowMs);
    return this.keys;
  }

  /** Records a packet's tag under the key that peeled it. */
  remember(key: OnionKey, tag: Uint8Array): RememberResult {
    const id = toHex(tag);
    if (key.tags.has(id)) return 'replayed';
    if (key.tags.size >= this.maxTags) return 'full';
    key.tags.add(id);
    return 'new';
  }
}
