/**
 * 1:1 conversation envelope (kind 0x1). Only what a relay needs to route is
 * readable: the recipient's mailbox tag. The counter travels masked (header
 * protection in the manner of QUIC, RFC 9001 section 5.4): on the wire it is
 * counter XOR mask, where the mask is a PRF of the first 16 sealed bytes
 * under a per-epoch, per-direction header key (protocol/session/key-schedule.ts).
 * Only the receiver can unmask it, so listeners cannot count messages, see a
 * rotation reset the counter, or link two mailbox tags by counter continuity.
 * The AEAD's associated data is the header with the real counter, so both
 * the tag and the counter are authenticated. Everything else, including the
 * content type, is inside the ciphertext (protocol/envelope/inner.ts).
 *
 *   offset 0        1                 7            10                 len-16     len
 *          +--------+-----------------+------------+------------------+----------+
 *          | 0x11   | mailbox tag     | masked     | ciphertext       | AEAD tag |
 *          | ver|kd | 6 bytes         | counter u24| >= 1 byte        | 16 bytes |
 *          +--------+-----------------+------------+------------------+----------+
 *          associated data = 0x11 || mailbox tag || counter (unmasked)
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

/** Sealed bytes sampled for the counter mask; always present since sealed >= 17 bytes. */
export const COUNTER_SAMPLE_BYTES = 16;

export interface DirectEnvelope {
  readonly mailboxTag: Uint8Array;
  /** Counter XOR mask, as on the wire; only a key holder can unmask it. */
  readonly maskedCounter: number;
  /** Ciphertext || AEAD tag. */
  readonly sealed: Uint8Array;
}

/** The associated data the AEAD authenticates: the header with the unmasked counter. */
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

/** header || sealed with the counter bytes XORed with `counterMask` (u24); `header` from directHeader(). */
export function encodeDirectEnvelope(header: Uint8Array, sealed: Uint8Array, counterMask: number): Uint8Array {
  if (header.length !== DIRECT_HEADER_BYTES) throw new EnvelopeError('bad-argument', 'bad direct header');
  if (sealed.length < MIN_DIRECT_SEALED_BYTES) throw new EnvelopeError('bad-argument', 'sealed part too short');
  if (header.length + sealed.length > MAX_ENVELOPE_BYTES) {
    throw new EnvelopeError('content-too-long', `direct envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`);
  }
  const out = new Uint8Array(header.length + sealed.length);
  out.set(header);
  out.set(sealed, header.length);
  out[7] = (out[7] as number) ^ ((counterMask >>> 16) & 0xff);
  out[8] = (out[8] as number) ^ ((counterMask >>> 8) & 0xff);
  out[9] = (out[9] as number) ^ (counterMask & 0xff);
  return out;
}

/** Splits a direct envelope into its clear fields, masked counter and sealed part (views into `bytes`). No keys needed. */
export function decodeDirectEnvelope(bytes: Uint8Array): DecodeResult<DirectEnvelope> {
  if (bytes.length > MAX_ENVELOPE_BYTES) return fail('too-long', MAX_ENVELOPE_BYTES, `envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`);
  const r = new ByteReader(bytes);
  const first = checkVersionKind(r, EnvelopeKind.direct);
  if (!first.ok) return first;
  const mailboxTag = r.bytes(MAILBOX_TAG_BYTES, 'mailbox tag');
  const maskedCounter = r.u24('masked counter');
  if (r.failed) return r.error!;
  if (r.remaining < MIN_DIRECT_SEALED_BYTES) {
    return fail('truncated', r.offset, `sealed part: need ${MIN_DIRECT_SEALED_BYTES} bytes, ${r.remaining} left`);
  }
  const sealed = r.bytes(r.remaining, 'sealed');
  return ok({ mailboxTag, maskedCounter, sealed });
}
