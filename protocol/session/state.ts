/**
 * The whole state of one side of a 1:1 conversation, as plain data, so the
 * codec (state-codec.ts) can store it and the Session class can act on it.
 * It holds secrets: it is only ever written to disk encrypted (the vault),
 * and Session redacts it from logs.
 */
import type { ContactPublicKey, EncryptionKeyPair, LookupKeyPair } from '../keys/keys.ts';
import type { Epoch } from './epoch.ts';
import { SessionError } from './errors.ts';

export interface SessionOptions {
  /** How long the previous epoch's keys stay usable after a rotation commits (late, reordered messages). */
  readonly epochGraceMs: number;
  /** ...or until this many messages arrived under the new epoch, whichever comes first. */
  readonly epochGraceMessages: number;
  /** How long the previous own mailbox is still fetched (drained) after an Lkp rotation commits. */
  readonly lookupDrainMs: number;
}

const HOUR_MS = 3_600_000;
/** Cap on epochGraceMessages (the state codec refuses more). */
export const MAX_GRACE_MESSAGES = 1 << 20;

/**
 * Mesh store-and-forward can hold a message for hours, so the grace window
 * is in days, not seconds; the message bound cuts it short once the peer has
 * clearly moved on, which limits how long an old key can be abused.
 */
export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
  epochGraceMs: 48 * HOUR_MS,
  epochGraceMessages: 64,
  lookupDrainMs: 7 * 24 * HOUR_MS,
};

/** A deadline `spanMs` after `nowMs`, as a safe integer the state codec can store (simulated clocks may give fractions). */
export function deadline(nowMs: number, spanMs: number): number {
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.floor(nowMs)) + spanMs);
}

/** Refuses options the state codec could not store (SessionError 'bad-argument'). */
export function checkOptions(o: SessionOptions): SessionOptions {
  for (const [name, value, max] of [
    ['epochGraceMs', o.epochGraceMs, Number.MAX_SAFE_INTEGER],
    ['epochGraceMessages', o.epochGraceMessages, MAX_GRACE_MESSAGES],
    ['lookupDrainMs', o.lookupDrainMs, Number.MAX_SAFE_INTEGER],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0 || value > max) {
      throw new SessionError('bad-argument', `${name} must be an integer in 0..${max}`);
    }
  }
  return o;
}

/** A message in one direction: its epoch generation and its counter in that epoch. */
export interface MessageId {
  readonly epoch: number;
  readonly counter: number;
}

/**
 * The epoch that a rotation in flight will create. 'mine': I proposed a new
 * Ekp and keep sending under the current epoch until a message from the
 * peer authenticates under this one (the acknowledgement). 'theirs': the peer
 * proposed; I acknowledge by sending under it at once (carrying my healing
 * Ekp, see deferredAnnounced), and commit when the peer's first message under
 * it, or under the epoch my healing Ekp creates, arrives.
 */
export type NextEpoch =
  | { readonly origin: 'mine'; readonly pair: EncryptionKeyPair; readonly epoch: Epoch }
  | { readonly origin: 'theirs'; readonly theirPublic: Uint8Array; readonly epoch: Epoch };

export interface PreviousEpoch {
  readonly epoch: Epoch;
  readonly expiresAtMs: number;
  remainingMessages: number;
}

export interface OwnMailboxes {
  current: LookupKeyPair;
  /** A new Lkp proposed to the peer, not yet acknowledged (its mailbox is polled already). */
  pending?: LookupKeyPair | undefined;
  /** The Lkp replaced by the last rotation: its mailbox is drained until drainUntilMs, then dropped. */
  previous?: { readonly pair: LookupKeyPair; readonly drainUntilMs: number } | undefined;
}

export interface SessionState {
  /** My Ckp X25519 public key sorts first (key-schedule.ts, direction keys). */
  readonly lowSide: boolean;
  readonly myContact: ContactPublicKey;
  readonly theirContact: ContactPublicKey;
  myEncryption: EncryptionKeyPair;
  theirEncryption: Uint8Array;
  readonly mailboxes: OwnMailboxes;
  /** The peer's current Lkp public key: my messages go to its mailbox tag. */
  theirLookup: Uint8Array;
  /** The message that carried the peer's current Lkp, so an older, reordered rotation cannot undo a newer one. */
  theirLookupSetAt: MessageId | undefined;
  current: Epoch;
  next: NextEpoch | undefined;
  previous: PreviousEpoch | undefined;
  /**
   * The epoch before `previous`, in its own grace window. A rotation round
   * takes two steps (docs/PROTOCOL.md, "Rotation heals both directions"), so
   * the proposer leaves two epochs within moments, and the peer's late
   * messages may be under either.
   */
  older: PreviousEpoch | undefined;
  /** My Ekp rotation waiting for the rotation in flight to finish (one rotation at a time). */
  deferred: EncryptionKeyPair | undefined;
  /**
   * The deferred Ekp is a healing key (docs/PROTOCOL.md, "Rotation heals both
   * directions"): drawn when I accepted the peer's proposal in `next`, it rides
   * in my acknowledgements under that epoch, and the epoch it creates on top
   * of `next` is already open to the peer's messages. Only with next 'theirs'.
   */
  deferredAnnounced: boolean;
  readonly options: SessionOptions;
}
