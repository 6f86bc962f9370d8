/**
 * Presence (kind 0x4): where a contact can be reached directly (an address
 * URL: udp://, mesh://...), encrypted so that only the peer of the
 * conversation reads it (whitepaper 1.2.3, "Presence protocol"). The relay
 * files it under the publisher's own mailbox tag and drops it at expiry; the
 * publisher proves ownership with its Lkp (protocol/server, not here).
 *
 *   offset 0       1             7              11             35                len
 *          +-------+-------------+--------------+--------------+-----------------+
 *          | 0x14  | mailbox tag | expires at   | nonce        | XChaCha20-      |
 *          |       | 6 bytes     | u32 s (Unix) | 24 bytes     | Poly1305(addr)  |
 *          +-------+-------------+--------------+--------------+-----------------+
 *          \________________ associated data _______________/
 *
 * The nonce is random (XChaCha: 192 bits, safe to draw), so presence needs
 * no counter state; the expiry is authenticated, so a relay replaying an old
 * presence cannot make it look fresh past its time to live.
 */
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { AEAD_TAG_BYTES, XAEAD_NONCE_BYTES } from '../crypto/suite.ts';
import { MAILBOX_TAG_BYTES } from './direct.ts';
import { EnvelopeError } from './errors.ts';
import { EnvelopeKind, versionKindByte } from './kinds.ts';
import { checkVersionKind } from './version-kind.ts';

export const PRESENCE_HEADER_BYTES = 1 + MAILBOX_TAG_BYTES + 4 + XAEAD_NONCE_BYTES;
export const MAX_PRESENCE_ADDRESS_BYTES = 255;

export interface PresenceEnvelope {
  readonly mailboxTag: Uint8Array;
  readonly expiresAtSeconds: number;
  readonly nonce: Uint8Array;
  /** Ciphertext || tag. */
  readonly sealed: Uint8Array;
  /** bytes[0..35]: the associated data. */
  readonly header: Uint8Array;
}

export function presenceHeader(mailboxTag: Uint8Array, expiresAtSeconds: number, nonce: Uint8Array): Uint8Array {
  if (mailboxTag.length !== MAILBOX_TAG_BYTES || nonce.length !== XAEAD_NONCE_BYTES) {
    throw new EnvelopeError('bad-argument', 'presence: bad tag or nonce length');
  }
  if (!Number.isInteger(expiresAtSeconds) || expiresAtSeconds < 0 || expiresAtSeconds > 0xffffffff) {
    throw new EnvelopeError('bad-argument', `presence expiry out of range: ${expiresAtSeconds}`);
  }
  const h = new Uint8Array(PRESENCE_HEADER_BYTES);
  h[0] = versionKindByte(EnvelopeKind.presence);
  h.set(mailboxTag, 1);
  new DataView(h.buffer).setUint32(1 + MAILBOX_TAG_BYTES, expiresAtSeconds);
  h.set(nonce, 1 + MAILBOX_TAG_BYTES + 4);
  return h;
}

export function decodePresence(bytes: Uint8Array): DecodeResult<PresenceEnvelope> {
  const r = new ByteReader(bytes);
  const first = checkVersionKind(r, EnvelopeKind.presence);
  if (!first.ok) return first;
  const mailboxTag = r.bytes(MAILBOX_TAG_BYTES, 'mailbox tag');
  const expiresAtSeconds = r.u32('expiry');
  const nonce = r.bytes(XAEAD_NONCE_BYTES, 'nonce');
  if (r.failed) return r.error!;
  if (r.remaining < AEAD_TAG_BYTES) return fail('truncated', r.offset, `sealed address: need ${AEAD_TAG_BYTES} bytes, ${r.remaining} left`);
  if (r.remaining > MAX_PRESENCE_ADDRESS_BYTES + AEAD_TAG_BYTES) return fail('too-long', r.offset, 'presence address too long');
  const sealed = r.bytes(r.remaining, 'sealed');
  return ok({ mailboxTag, expiresAtSeconds, nonce, sealed, header: bytes.subarray(0, PRESENCE_HEADER_BYTES) });
}
