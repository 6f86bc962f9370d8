/**
 * Serialised session state, so a node can store sessions (encrypted, in the
 * vault) and restore them after a restart. Public keys are stored beside
 * their secrets so restoring costs a few HKDF runs, not curve operations;
 * the vault's AEAD protects the integrity of the whole blob.
 *
 *   u8   format (1)
 *   64   my Ckp public (Ed25519, X25519)      64  their Ckp public
 *   64   my Ekp (public, secret)              32  their Ekp public
 *   32   their Lkp public                     u8  1 if "set at" follows
 *   [varint epoch, varint counter]            the message that set their Lkp
 *   64   my current Lkp (public, secret)      u8  flags: 1 pending Lkp, 2 draining Lkp,
 *                                                 4 next epoch, 8 next is mine, 16 previous epoch,
 *                                                 32 deferred Ekp, 64 deferred Ekp announced
 *                                                 (a healing key riding in my acks; needs 4 and 32, not 8),
 *                                                 128 older grace epoch
 *   [64 pending Lkp] [64 draining Lkp, varint drainUntilMs]
 *   epoch current
 *   [epoch next, then 64 my new Ekp (mine) or 32 their new Ekp public (theirs)]
 *   [epoch previous, varint expiresAtMs, varint remainingMessages]
 *   [epoch older, varint expiresAtMs, varint remainingMessages]
 *   [64 deferred Ekp]
 *   varint epochGraceMs, varint epochGraceMessages, varint lookupDrainMs
 *
 *   epoch = varint number, 32 root, varint next send counter (<= 2^24),
 *           varint highest received + 1 (0 = none), 16 replay bitmap
 */
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { ByteWriter } from '../codec/writer.ts';
import { KEY_BYTES, type CryptoSuite } from '../crypto/suite.ts';
import { MAX_DIRECT_COUNTER } from '../envelope/direct.ts';
import type { ContactPublicKey, EncryptionKeyPair, LookupKeyPair } from '../keys/keys.ts';
import { Epoch } from './epoch.ts';
import { compareBytes } from './key-schedule.ts';
import { REPLAY_WINDOW_SIZE, ReplayWindow } from '../envelope/replay-window.ts';
import type { RandomSource } from '../random.ts';
import { Session } from './session.ts';
import { MAX_GRACE_MESSAGES, type MessageId, type PreviousEpoch, type SessionState } from './state.ts';

const STATE_FORMAT = 1;
const BITMAP_BYTES = REPLAY_WINDOW_SIZE / 8;
const MAX_EPOCH_NUMBER = 0xffffffff;
const MAX_TIME_MS = Number.MAX_SAFE_INTEGER;
const F_PENDING_LKP = 1;
const F_DRAINING_LKP = 2;
const F_NEXT = 4;
const F_NEXT_MINE = 8;
const F_PREVIOUS = 16;
const F_DEFERRED = 32;
const F_DEFERRED_ANNOUNCED = 64;
const F_OLDER = 128;
const F_ALL = 255;

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** A key pair rebuilt from stored bytes, printing without its secret like protocol/keys/keys.ts pairs. */
function redacted<T extends { role: string; publicKey: Uint8Array }>(pair: T): T {
  const view = (): unknown => ({ role: pair.role, publicKey: pair.publicKey, secret: '[secret redacted]' });
  Object.defineProperty(pair, 'toJSON', { value: view, enumerable: false });
  Object.defineProperty(pair, inspectSymbol, { value: view, enumerable: false });
  return pair;
}

function writeEpoch(w: ByteWriter, e: Epoch): void {
  w.varint(e.number).fixed(e.root, KEY_BYTES).varint(e.sendCounter).varint(e.window.highest + 1);
  const bitmap = new Uint8Array(BITMAP_BYTES);
  let bits = e.window.bitmap;
  for (let i = BITMAP_BYTES - 1; i >= 0; i--) {
    bitmap[i] = Number(bits & 0xffn);
    bits >>= 8n;
  }
  w.bytes(bitmap);
}

function writePair(w: ByteWriter, pair: { publicKey: Uint8Array; secretKey: Uint8Array }): void {
  w.fixed(pair.publicKey, KEY_BYTES).fixed(pair.secretKey, KEY_BYTES);
}

/** The session's state as bytes. They hold secrets: store them only encrypted. */
export function encodeSessionState(session: Session): Uint8Array {
  const s = session.exportState();
  const m = s.mailboxes;
  const w = new ByteWriter(512);
  w.u8(STATE_FORMAT);
  w.bytes(s.myContact.signing).bytes(s.myContact.agreement).bytes(s.theirContact.signing).bytes(s.theirContact.agreement);
  writePair(w, s.myEncryption);
  w.fixed(s.theirEncryption, KEY_BYTES).fixed(s.theirLookup, KEY_BYTES);
  if (s.theirLookupSetAt) w.u8(1).varint(s.theirLookupSetAt.epoch).varint(s.theirLookupSetAt.counter);
  else w.u8(0);
  writePair(w, m.current);
  const flags = (m.pending ? F_PENDING_LKP : 0) | (m.previous ? F_DRAINING_LKP : 0) | (s.next ? F_NEXT : 0)
    | (s.next?.origin === 'mine' ? F_NEXT_MINE : 0) | (s.previous ? F_PREVIOUS : 0) | (s.deferred ? F_DEFERRED : 0)
    | (s.deferredAnnounced ? F_DEFERRED_ANNOUNCED : 0) | (s.older ? F_OLDER : 0);
  w.u8(flags);
  if (m.pending) writePair(w, m.pending);
  if (m.previous) {
    writePair(w, m.previous.pair);
    w.varint(m.previous.drainUntilMs);
  }
  writeEpoch(w, s.current);
  if (s.next) {
    writeEpoch(w, s.next.epoch);
    if (s.next.origin === 'mine') writePair(w, s.next.pair);
    else w.fixed(s.next.theirPublic, KEY_BYTES);
  }
  for (const g of [s.previous, s.older]) {
    if (!g) continue;
    writeEpoch(w, g.epoch);
    w.varint(g.expiresAtMs).varint(g.remainingMessages);
  }
  if (s.deferred) writePair(w, s.deferred);
  w.varint(s.options.epochGraceMs).varint(s.options.epochGraceMessages).varint(s.options.lookupDrainMs);
  return w.finish();
}

function readEpoch(r: ByteReader, suite: CryptoSuite, lowSide: boolean): Epoch | undefined {
  const number = r.varint('epoch number', MAX_EPOCH_NUMBER);
  const root = r.copy(KEY_BYTES, 'epoch root');
  const sendCounter = r.varint('send counter', MAX_DIRECT_COUNTER + 1);
  const highestPlusOne = r.varint('highest received', MAX_DIRECT_COUNTER + 1);
  const bitmapBytes = r.bytes(BITMAP_BYTES, 'replay bitmap');
  if (r.failed) return undefined;
  let bitmap = 0n;
  for (const b of bitmapBytes) bitmap = (bitmap << 8n) | BigInt(b);
  return Epoch.fromRoot(suite, number, root, lowSide, sendCounter, new ReplayWindow(highestPlusOne - 1, bitmap));
}

function readGrace(r: ByteReader, suite: CryptoSuite, lowSide: boolean): PreviousEpoch | undefined {
  const epoch = readEpoch(r, suite, lowSide);
  const expiresAtMs = r.varint('grace expiry', MAX_TIME_MS);
  const remainingMessages = r.varint('grace messages', MAX_GRACE_MESSAGES);
  return epoch && !r.failed ? { epoch, expiresAtMs, remainingMessages } : undefined;
}

function readEncryptionPair(r: ByteReader, what: string): EncryptionKeyPair {
  const publicKey = r.copy(KEY_BYTES, `${what} public`);
  const secretKey = r.copy(KEY_BYTES, `${what} secret`);
  return redacted({ role: 'encryption' as const, publicKey, secretKey });
}

function readLookupPair(r: ByteReader, what: string): LookupKeyPair {
  const publicKey = r.copy(KEY_BYTES, `${what} public`);
  const secretKey = r.copy(KEY_BYTES, `${what} secret`);
  return redacted({ role: 'lookup' as const, publicKey, secretKey });
}

function readContact(r: ByteReader, what: string): ContactPublicKey {
  return { role: 'contact', signing: r.copy(KEY_BYTES, `${what} signing`), agreement: r.copy(KEY_BYTES, `${what} agreement`) };
}

/** Strict decoder of encodeSessionState's bytes: typed errors, never throws, caps every number. */
export function decodeSessionState(suite: CryptoSuite, bytes: Uint8Array): DecodeResult<SessionState> {
  const r = new ByteReader(bytes);
  const format = r.u8('state format');
  if (r.failed) return r.error!;
  if (format !== STATE_FORMAT) return fail('bad-version', 0, `session state format ${format} is not ${STATE_FORMAT}`);
  const myContact = readContact(r, 'my Ckp');
  const theirContact = readContact(r, 'their Ckp');
  if (r.failed) return r.error!;
  const order = compareBytes(myContact.agreement, theirContact.agreement);
  if (order === 0) return fail('bad-value', 33, 'both sides have the same contact key');
  const lowSide = order < 0;
  const myEncryption = readEncryptionPair(r, 'my Ekp');
  const theirEncryption = r.copy(KEY_BYTES, 'their Ekp');
  const theirLookup = r.copy(KEY_BYTES, 'their Lkp');
  const setAtAt = r.offset;
  const hasSetAt = r.u8('Lkp set-at flag');
  let theirLookupSetAt: MessageId | undefined;
  if (hasSetAt === 1) {
    theirLookupSetAt = { epoch: r.varint('set-at epoch', MAX_EPOCH_NUMBER), counter: r.varint('set-at counter', MAX_DIRECT_COUNTER) };
  } else if (hasSetAt !== 0 && !r.failed) {
    return fail('bad-value', setAtAt, `Lkp set-at flag ${hasSetAt}`);
  }
  const currentLookup = readLookupPair(r, 'my Lkp');
  const flagsAt = r.offset;
  const flags = r.u8('flags');
  if (r.failed) return r.error!;
  const announcedOk = (flags & F_DEFERRED_ANNOUNCED) === 0
    || ((flags & F_DEFERRED) !== 0 && (flags & F_NEXT) !== 0 && (flags & F_NEXT_MINE) === 0);
  if ((flags & ~F_ALL) !== 0 || ((flags & F_NEXT_MINE) !== 0 && (flags & F_NEXT) === 0) || !announcedOk) {
    return fail('bad-value', flagsAt, `state flags 0x${flags.toString(16)}`);
  }
  const pending = flags & F_PENDING_LKP ? readLookupPair(r, 'pending Lkp') : undefined;
  let draining: { pair: LookupKeyPair; drainUntilMs: number } | undefined;
  if (flags & F_DRAINING_LKP) {
    const pair = readLookupPair(r, 'draining Lkp');
    draining = { pair, drainUntilMs: r.varint('drain until', MAX_TIME_MS) };
  }
  const current = readEpoch(r, suite, lowSide);
  let next: SessionState['next'];
  if (flags & F_NEXT) {
    const epoch = readEpoch(r, suite, lowSide);
    if (flags & F_NEXT_MINE) {
      const pair = readEncryptionPair(r, 'next Ekp');
      if (epoch) next = { origin: 'mine', pair, epoch };
    } else {
      const theirPublic = r.copy(KEY_BYTES, 'their next Ekp');
      if (epoch) next = { origin: 'theirs', theirPublic, epoch };
    }
  }
  const previous = flags & F_PREVIOUS ? readGrace(r, suite, lowSide) : undefined;
  const older = flags & F_OLDER ? readGrace(r, suite, lowSide) : undefined;
  const deferred = flags & F_DEFERRED ? readEncryptionPair(r, 'deferred Ekp') : undefined;
  const epochGraceMs = r.varint('epoch grace', MAX_TIME_MS);
  const epochGraceMessages = r.varint('epoch grace messages', MAX_GRACE_MESSAGES);
  const lookupDrainMs = r.varint('lookup drain', MAX_TIME_MS);
  r.end('session state');
  if (r.failed || !current) return r.error ?? fail('truncated', r.offset, 'session state');
  return ok({
    lowSide, myContact, theirContact, myEncryption, theirEncryption,
    mailboxes: { current: currentLookup, pending, previous: draining },
    theirLookup, theirLookupSetAt, current, next, previous, older, deferred,
    deferredAnnounced: (flags & F_DEFERRED_ANNOUNCED) !== 0,
    options: { epochGraceMs, epochGraceMessages, lookupDrainMs },
  });
}

/** Restores a session from encodeSessionState's bytes; `random` draws its future healing keys. */
export function restoreSession(suite: CryptoSuite, bytes: Uint8Array, random: RandomSource): DecodeResult<Session> {
  const state = decodeSessionState(suite, bytes);
  return state.ok ? ok(new Session(suite, state.value, random)) : state;
}
