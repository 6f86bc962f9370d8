/**
 * Group message (kind 0x2) under a member's sender key. The whitepaper's
 * group is "a copy to each member"; over radio that costs one frame per
 * member, so a member instead seals once with its own sender key, which it
 * handed to every member inside their 1:1 sessions (data content). Members
 * tell senders apart by index and keep one replay window per sender.
 *
 *   offset 0       1             7         8            11                len
 *          +-------+-------------+---------+------------+-----------------+
 *          | 0x12  | group tag   | sender  | counter    | ChaCha20-       |
 *          |       | 6 bytes     | u8 idx  | u24 BE     | Poly1305(inner) |
 *          +-------+-------------+---------+------------+-----------------+
 *          \______________ associated data ____________/
 *
 *   group tag = SHA-256("meow/group-tag/v1" || 16-byte group id)[0..6]
 *   nonce     = 9 zero bytes || u24 counter (one sender key, one counter)
 *   inner     = protocol/envelope/inner.ts with a text or data body only
 *
 * A sender key is symmetric: it proves "a member of the group", not which
 * member (each member could forge another's index). Groups that need more
 * send 1:1 copies, which the session authenticates per contact.
 */
import { concatBytes, utf8 } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES, type CryptoSuite, KEY_BYTES } from '../crypto/suite.ts';
import { MAILBOX_TAG_BYTES } from './direct.ts';
import { EnvelopeError, type OpenResult, openFail } from './errors.ts';
import { type InnerBody, decodeInner, encodeInner } from './inner.ts';
import { EnvelopeKind, MAX_ENVELOPE_BYTES, versionKindByte } from './kinds.ts';
import type { ReplayWindow } from './replay-window.ts';
import { checkVersionKind } from './version-kind.ts';

export const GROUP_ID_BYTES = 16;
export const GROUP_TAG_BYTES = MAILBOX_TAG_BYTES;
export const GROUP_HEADER_BYTES = 1 + GROUP_TAG_BYTES + 1 + 3;
export const MAX_GROUP_COUNTER = 0xffffff;
const GROUP_TAG_LABEL = utf8('meow/group-tag/v1');

export interface GroupSenderKey {
  readonly groupTag: Uint8Array;
  readonly senderIndex: number;
  readonly key: Uint8Array;
}

export interface GroupClearFields {
  readonly groupTag: Uint8Array;
  readonly senderIndex: number;
  readonly counter: number;
  readonly sealed: Uint8Array;
}

export interface GroupMessage {
  readonly groupTag: Uint8Array;
  readonly senderIndex: number;
  readonly counter: number;
  readonly body: InnerBody;
}

export function groupTag(suite: CryptoSuite, groupId: Uint8Array): Uint8Array {
  if (groupId.length !== GROUP_ID_BYTES) throw new EnvelopeError('bad-argument', `group id must be ${GROUP_ID_BYTES} bytes`);
  return suite.sha256(concatBytes(GROUP_TAG_LABEL, groupId)).slice(0, GROUP_TAG_BYTES);
}

function nonceFor(counter: number): Uint8Array {
  const nonce = new Uint8Array(AEAD_NONCE_BYTES);
  nonce[9] = counter >>> 16;
  nonce[10] = (counter >>> 8) & 0xff;
  nonce[11] = counter & 0xff;
  return nonce;
}

/** Seals a group message; `counter` must never repeat under one sender key (persist it before sending). */
export function sealGroupMessage(suite: CryptoSuite, sender: GroupSenderKey, counter: number, body: InnerBody): Uint8Array {
  if (sender.groupTag.length !== GROUP_TAG_BYTES || sender.key.length !== KEY_BYTES) {
    throw new EnvelopeError('bad-argument', 'group sender key: bad tag or key length');
  }
  if (!Number.isInteger(sender.senderIndex) || sender.senderIndex < 0 || sender.senderIndex > 0xff) {
    throw new EnvelopeError('bad-argument', `sender index out of range: ${sender.senderIndex}`);
  }
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_GROUP_COUNTER) {
    throw new EnvelopeError('bad-argument', `counter out of range: ${counter}`);
  }
  if (body.type === 'none') throw new EnvelopeError('bad-argument', 'a group message carries a text or data body');
  const header = new Uint8Array(GROUP_HEADER_BYTES);
  header[0] = versionKindByte(EnvelopeKind.group);
  header.set(sender.groupTag, 1);
  header[7] = sender.senderIndex;
  header[8] = counter >>> 16;
  header[9] = (counter >>> 8) & 0xff;
  header[10] = counter & 0xff;
  const plaintext = encodeInner({ body, acks: [] });
  if (GROUP_HEADER_BYTES + plaintext.length + AEAD_TAG_BYTES > MAX_ENVELOPE_BYTES) {
    throw new EnvelopeError('content-too-long', `group message exceeds ${MAX_ENVELOPE_BYTES} bytes`);
  }
  return concatBytes(header, suite.aeadSeal(sender.key, nonceFor(counter), plaintext, header));
}

export function decodeGroupHeader(bytes: Uint8Array): DecodeResult<GroupClearFields> {
  if (bytes.length > MAX_ENVELOPE_BYTES) return fail('too-long', MAX_ENVELOPE_BYTES, `envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`);
  const r = new ByteReader(bytes);
  const first = checkVersionKind(r, EnvelopeKind.group);
  if (!first.ok) return first;
  const tag = r.bytes(GROUP_TAG_BYTES, 'group tag');
  const senderIndex = r.u8('sender index');
  const counter = r.u24('counter');
  if (r.failed) return r.error!;
  if (r.remaining < 1 + AEAD_TAG_BYTES) return fail('truncated', r.offset, 'sealed part too short');
  return ok({ groupTag: tag, senderIndex, counter, sealed: r.bytes(r.remaining, 'sealed') });
}

/** The receiving member's view of one sender: its key and the replay window of its counters. */
export interface GroupSenderEntry {
  readonly key: Uint8Array;
  readonly window: ReplayWindow;
}

export function openGroupMessage(
  suite: CryptoSuite, bytes: Uint8Array,
  lookup: (groupTag: Uint8Array, senderIndex: number) => GroupSenderEntry | undefined,
): OpenResult<GroupMessage> {
  const d = decodeGroupHeader(bytes);
  if (!d.ok) return d;
  const { groupTag: tag, senderIndex, counter, sealed } = d.value;
  const entry = lookup(tag, senderIndex);
  if (!entry) return openFail('unknown-sender', 1, 'unknown group or sender');
  const plain = suite.aeadOpen(entry.key, nonceFor(counter), sealed, bytes.subarray(0, GROUP_HEADER_BYTES));
  if (!plain) return openFail('bad-mac', bytes.length - AEAD_TAG_BYTES, 'group message does not authenticate');
  if (entry.window.check(counter) !== 'fresh') return openFail('replay', 8, 'group counter already seen');
  const inner = decodeInner(plain, GROUP_HEADER_BYTES);
  if (!inner.ok) return inner;
  const m = inner.value;
  if (m.body.type === 'none' || m.acks.length > 0 || m.encryptionKey || m.lookupKey) {
    return fail('bad-value', GROUP_HEADER_BYTES, 'group messages carry only a text or data body');
  }
  entry.window.mark(counter);
  return ok({ groupTag: tag.slice(), senderIndex, counter, body: m.body });
}
