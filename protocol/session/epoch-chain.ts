/**
 * How epochs succeed one another in a session state (docs/PROTOCOL.md,
 * "Rotations"): one ratchet step, the commits that move `next` (and the
 * chained healing epoch) to `current`, and the grace epochs left behind.
 * Plain functions over SessionState, used by session.ts.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import type { EncryptionKeyPair } from '../keys/keys.ts';
import { Epoch } from './epoch.ts';
import { SessionError } from './errors.ts';
import { ratchetRoot, ratchetShared } from './key-schedule.ts';
import { type SessionState, deadline } from './state.ts';

/**
 * One ratchet step on top of `base` with my new Ekp and the peer's Ekp
 * (key-schedule.ts). Both keys were checked before they entered the state,
 * so a failure here is a broken state, not hostile input.
 */
export function stepEpoch(
  suite: CryptoSuite, base: Epoch, lowSide: boolean, mine: EncryptionKeyPair, theirPublic: Uint8Array,
): Epoch {
  const shared = ratchetShared(suite, mine.secretKey, theirPublic);
  if (!shared) throw new SessionError('bad-argument', 'peer Ekp is a low-order X25519 key');
  const root = ratchetRoot(suite, base.root, shared, mine.publicKey, theirPublic);
  shared.fill(0);
  return Epoch.fromRoot(suite, base.number + 1, root, lowSide);
}

export function dropGrace(s: SessionState, which: 'previous' | 'older'): void {
  s[which]?.epoch.wipe();
  s[which] = undefined;
}

/** The current epoch enters grace; the previous one moves to `older` (keeping its own bounds); the older one is wiped. */
function retireCurrent(s: SessionState, nowMs: number): void {
  dropGrace(s, 'older');
  s.older = s.previous;
  s.previous = {
    epoch: s.current,
    expiresAtMs: deadline(nowMs, s.options.epochGraceMs),
    remainingMessages: s.options.epochGraceMessages,
  };
}

/** A message under the current epoch: each grace epoch has one message less to live. */
export function countGraceMessage(s: SessionState): void {
  for (const which of ['previous', 'older'] as const) {
    const g = s[which];
    if (!g) continue;
    g.remainingMessages -= 1;
    if (g.remainingMessages <= 0) dropGrace(s, which);
  }
}

/** Wipes the grace epochs whose time is up. */
export function expireGrace(s: SessionState, nowMs: number): void {
  if (s.previous && nowMs >= s.previous.expiresAtMs) dropGrace(s, 'previous');
  if (s.older && nowMs >= s.older.expiresAtMs) dropGrace(s, 'older');
}

/** `next` becomes current: the peer sent under it (my rotation) or I heard the proposer under it (theirs). */
export function commitNext(s: SessionState, nowMs: number): void {
  const next = s.next;
  if (!next) return;
  retireCurrent(s, nowMs);
  s.current = next.epoch;
  if (next.origin === 'mine') {
    s.myEncryption.secretKey.fill(0);
    s.myEncryption = next.pair;
  } else {
    s.theirEncryption = next.theirPublic;
  }
  s.next = undefined;
}

/**
 * The peer sent under the epoch of my healing Ekp: it committed `next` and
 * took my key, so both steps commit here. The peer never sent under `next`
 * (its first message after my acknowledgement already uses `chained`), so
 * `next` is wiped and the grace slot keeps the epoch before it, where the
 * peer's late messages are.
 */
export function commitChained(s: SessionState, chained: Epoch, nowMs: number): void {
  const next = s.next;
  if (next?.origin !== 'theirs' || !s.deferred) return;
  retireCurrent(s, nowMs);
  next.epoch.wipe();
  s.current = chained;
  s.theirEncryption = next.theirPublic;
  s.myEncryption.secretKey.fill(0);
  s.myEncryption = s.deferred;
  s.next = undefined;
  s.deferred = undefined;
  s.deferredAnnounced = false;
}
