/**
 * 1:1 conversation envelope (kind 0x1). Only what a relay needs to route is
 * in clear: the recipient's mailbox tag. The counter is in clear because the
 * receiver needs it to build the nonce and check replay before it spends an
 * AEAD attempt; the whole clear header is the AEAD's associated data, so it
 * is authenticated. Everything else, including the content type, is inside
 * the ciphertext (protocol/envelope/inner.ts).
 *
 *   offset 0        1                 7            10                 len-16     len
 *          +--------+-----------------+------------+------------------+----------+
 *          | 0x11   | mailbox tag     | counter    | ciphertext       | AEAD tag |
 *          | ver|kd | 6 bytes         | u24 BE     | >= 1 byte        | 16 bytes |
 *          +--------+-----------------+------------+------------------+----------+
 *          \_____________ associated data ________/
 *
 * A 5-byte text costs 1 + 6 + 3 + (1 + 5) + 16 = 32 bytes (DESIGN.md section 4).
 */
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { ByteReader } from '../codec/reader.ts';
import { AEAD_TAG_BYTES } from '../crypto/suite.ts';
import { EnvelopeError } from './errors.ts';
import { EnvelopeKind, MAX_ENVELOPE_BYTES, versionKindByte } from './kinds.ts';
import { checkVersionKind } from './version-kind.ts';

export const MAILBOX_TAG_BYTES = 6;
export const DIRECT_COUNTER_BYTES = 3;
/** Largest counter a direct envelope can carry; the sender must rotate before reaching it. */
export const MAX_DIRECT_COUNTER = 0xffffff;
/** Clear header = associated data: version/kind, mailbox tag, counter. */
export const DIRECT_HEADER_BYTES = 1 + MAILBOX_TAG_BYTES + DIRECT_COUNTER_BYTES;
/** Smallest ciphertext: the inner type byte plus the tag. */
export const MIN_DIRECT_SEALED_BYTES = 1 + AEAD_TAG_BYTES;
/** Bytes a direct envelope adds to its inner body (header, inner type byte, tag). */
export const DIRECT_OVERHEAD_BYTES = DIRECT_HEADER_BYTES + MIN_DIRECT_SEALED_BYTES;

export interface DirectEnvelope {
  readonly mailboxTag: Uint8Array;
  readonly counter: number;
  /** Ciphertext || AEAD tag. */
  readonly sealed: Uint8Array;
}

/** The associated data the AEAD authenticates: the clear header. */
export function directHeader(mailboxTag: Uint8Array, counter: number): Uint8Array {
  if (mailboxTag.length !== MAILBOX_TAG_BYTES) {
    throw new EnvelopeError('bad-argument', `mailbox tag must be ${MAILBOX_TAG_BYTES} bytes`);
  }
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_DIRECT_COUNTER) {
    throw new EnvelopeError('bad-argument', `counter out of range: ${counter}`);
  }
  const header = new Uint8Array(DIRECT_HEADER_BYTES);
  header[0] = versionKindByte(EnvelopeKind.direct);
  header.set(mailboxTag, 1);
  header[7] = counter >>> 16;
  header[8] = (counter >>> 8) & 0xff;
  header[9] = counter & 0xff;
  return header;
}

/** header || sealed; `header` must come from directHeader(). */
export function encodeDirectEnvelope(header: Uint8Array, sealed: Uint8Array): Uint8Array {
  if (header.length !== DIRECT_HEADER_BYTES) throw new EnvelopeError('bad-argument', 'bad direct header');
  if (sealed.length < MIN_DIRECT_SEALED_BYTES) throw new EnvelopeError('bad-argument', 'sealed part too short');
  if (header.length + sealed.length > MAX_ENVELOPE_BYTES) {
    throw new EnvelopeError('content-too-long', `direct envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`);
  }
  const out = new Uint8Array(header.length + sealed.length);
  out.set(header);
  out.set(sealed, header.length);
  return out;
}

/** Splits a direct envelope into its clear fields and sealed part (views into `bytes`). No keys needed. */
export function decodeDirectEnvelope(bytes: Uint8Array): DecodeResult<DirectEnvelope> {
  if (bytes.length > MAX_ENVELOPE_BYTES) return fail('too-long', MAX_ENVELOPE_BYTES, `envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`);
  const r = new ByteReader(bytes);
  const first = checkVersionKind(r, EnvelopeKind.direct);
  if (!first.ok) return first;
  const mailboxTag = r.bytes(MAILBOX_TAG_BYTES, 'mailbox tag');
  const counter = r.u24('counter');
  if (r.failed) return r.error!;
  if (r.remaining < MIN_DIRECT_SEALED_BYTES) {
    return fail('truncated', r.offset, `sealed part: need ${MIN_DIRECT_SEALED_BYTES} bytes, ${r.remaining} left`);
  }
  const sealed = r.bytes(r.remaining, 'sealed');
  return ok({ mailboxTag, counter, sealed });
}
