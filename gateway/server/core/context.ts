/** What every request handler of the relay core sees. */
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import type { ServerKeyPair } from '../../../protocol/keys/keys.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { MailboxStore } from '../../../seams/store.ts';
import type { RelayLimits } from '../config.ts';
import type { RelayDb } from '../store/relay-db.ts';
import type { TokenBuckets } from '../token-bucket.ts';
import type { SpentStamps } from './spent-stamps.ts';
import { RelayError } from '../../../protocol/server/errors.ts';
import type { SignedFields } from '../../../protocol/server/request-types.ts';

export interface CoreContext {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly key: ServerKeyPair;
  readonly limits: RelayLimits;
  readonly db: RelayDb;
  readonly mailboxes: MailboxStore;
  /** Deposits by contacts (a valid sender pass). */
  readonly perMailbox: TokenBuckets;
  /** Deposits by stamped strangers: apart, so that they cannot use up the contacts' allowance. */
  readonly perMailboxStamped: TokenBuckets;
  readonly spentStamps: SpentStamps;
  readonly broadcastGlobal: TokenBuckets;
  readonly broadcastPerAuthor: TokenBuckets;
  readonly signers: KeyInterner;
}

/** A handler checks what needs no storage (signatures, stamps) and returns the storage step, run in a group commit. */
export type StorageStep<T> = () => T;

/**
 * Returns one shared array per public key value (bounded, least recently
 * used first out). Crypto suites cache parsed keys per array (node-suite's
 * WeakMap), and a decoder hands out a fresh array per request: interning
 * makes a mailbox owner's repeated fetches hit that cache.
 */
export class KeyInterner {
  private readonly keys = new Map<string, Uint8Array>();
  constructor(private readonly max: number) {}

  intern(key: Uint8Array): Uint8Array {
    const id = hexKey(key);
    const known = this.keys.get(id);
    if (known) {
      this.keys.delete(id);
      this.keys.set(id, known);
      return known;
    }
    if (this.keys.size >= this.max) {
      const oldest = this.keys.keys().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    const copy = key.slice();
    this.keys.set(id, copy);
    return copy;
  }
}

/** Throws bad-signature unless the signed request verifies for this relay. */
export function verifySigned(ctx: CoreContext, r: SignedFields): void {
  if (!r.signedMessage || !ctx.suite.ed25519Verify(ctx.signers.intern(r.signer), r.signedMessage, r.signature)) {
    throw new RelayError('bad-signature', 'signature does not verify for this relay');
  }
}

/** Inside a storage step: refuses a counter not above the last one seen from this signer, then records it. */
export function consumeCounter(ctx: CoreContext, r: SignedFields, nowMs: number): void {
  const last = ctx.db.getCounter(r.signer);
  if (last !== undefined && r.counter <= last) throw new RelayError('replayed', `counter ${r.counter} not above ${last}`);
  // Counters are the client's clock in ms, and a signer's counter is forgotten after
  // mailboxIdleTtlMs unused: a request older than that could otherwise be replayed
  // once its counter is gone (review L2).
  if (last === undefined && r.counter <= nowMs - ctx.limits.mailboxIdleTtlMs) {
    throw new RelayError('stale', 'request counter older than the replay memory: check the clock');
  }
  // Ahead is bounded too (issue 9 item 7): a counter far in the future would stay above every
  // later honest counter (locking out the signer's other devices) and, once the idle signer's
  // row is garbage-collected, would pass the check above for as long as its clock was ahead.
  if (r.counter > nowMs + ctx.limits.counterAheadMs) {
    throw new RelayError('stale', `request counter ahead of the relay's clock by over ${Math.round(ctx.limits.counterAheadMs / 1000)} s: check the clock`);
  }
  ctx.db.putCounter(r.signer, r.counter, nowMs);
}

export function hexKey(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
