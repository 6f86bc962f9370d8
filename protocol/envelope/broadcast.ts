/**
 * Emergency broadcast (kind 0x3): a text for everyone on a server or mesh,
 * readable by all and signed with Ed25519 so that anyone holding the
 * broadcaster's public key can check it (whitepaper 1.9; DESIGN.md section 3:
 * signatures are for what third parties verify). Receivers look the key up
 * by its 8-byte id among the broadcasters they trust.
 *
 *   offset 0       1               9              13             len-64      len
 *          +-------+---------------+--------------+--------------+-----------+
 *          | 0x13  | sender key id | expires at   | text (UTF-8) | Ed25519   |
 *          |       | 8 bytes       | u32 s (Unix) | 0..1024      | signature |
 *          +-------+---------------+--------------+--------------+-----------+
 *
 * signature = Ed25519(sender, "meow/broadcast/v1" || bytes[0 .. len-64])
 * key id    = SHA-256("meow/broadcast-key-id/v1" || Ed25519 public)[0..8]
 * The expiry is signed, so a relay cannot extend a broadcast's life; a
 * replay before expiry repeats the same signed text (relays deduplicate).
 */
import { concatBytes, utf8 } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { type CryptoSuite, KEY_BYTES, SIGNATURE_BYTES } from '../crypto/suite.ts';
import { EnvelopeError, type OpenResult, openFail } from './errors.ts';
import { EnvelopeKind, versionKindByte } from './kinds.ts';
import { fromUtf8Exact } from './utf8.ts';
import { checkVersionKind } from './version-kind.ts';

export const BROADCAST_KEY_ID_BYTES = 8;
export const MAX_BROADCAST_TEXT_BYTES = 1024;
const HEADER_BYTES = 1 + BROADCAST_KEY_ID_BYTES + 4;
const SIGN_LABEL = utf8('meow/broadcast/v1');
const KEY_ID_LABEL = utf8('meow/broadcast-key-id/v1');
const MAX_U32 = 0xffffffff;

export interface BroadcastFields {
  readonly senderKeyId: Uint8Array;
  /** Expiry in whole seconds since the Unix epoch. */
  readonly expiresAtSeconds: number;
  readonly text: string;
}

export interface DecodedBroadcast extends BroadcastFields {
  readonly signature: Uint8Array;
  /** The bytes the signature covers (after the label). */
  readonly signed: Uint8Array;
}

export function broadcastKeyId(suite: CryptoSuite, senderPublic: Uint8Array): Uint8Array {
  if (senderPublic.length !== KEY_BYTES) throw new EnvelopeError('bad-argument', 'broadcaster key must be 32 bytes');
  return suite.sha256(concatBytes(KEY_ID_LABEL, senderPublic)).slice(0, BROADCAST_KEY_ID_BYTES);
}

/** Signs a broadcast with the sender's Ed25519 seed. */
export function sealBroadcast(
  suite: CryptoSuite, senderSeed: Uint8Array, text: string, expiresAtMs: number,
): Uint8Array {
  const body = utf8(text);
  if (body.length > MAX_BROADCAST_TEXT_BYTES) {
    throw new EnvelopeError('content-too-long', `broadcast text of ${body.length} bytes exceeds ${MAX_BROADCAST_TEXT_BYTES}`);
  }
  const expiresAtSeconds = Math.floor(expiresAtMs / 1000);
  if (!Number.isInteger(expiresAtSeconds) || expiresAtSeconds < 0 || expiresAtSeconds > MAX_U32) {
    throw new EnvelopeError('bad-argument', `expiry out of range: ${expiresAtMs}`);
  }
  const signed = new Uint8Array(HEADER_BYTES + body.length);
  signed[0] = versionKindByte(EnvelopeKind.broadcast);
  signed.set(broadcastKeyId(suite, suite.ed25519PublicKey(senderSeed)), 1);
  new DataView(signed.buffer).setUint32(1 + BROADCAST_KEY_ID_BYTES, expiresAtSeconds);
  signed.set(body, HEADER_BYTES);
  return concatBytes(signed, suite.ed25519Sign(senderSeed, concatBytes(SIGN_LABEL, signed)));
}

/** Reads the clear fields without checking the signature (routers, `meow inspect`). */
export function decodeBroadcast(bytes: Uint8Array): DecodeResult<DecodedBroadcast> {
  const r = new ByteReader(bytes);
  const first = checkVersionKind(r, EnvelopeKind.broadcast);
  if (!first.ok) return first;
  const senderKeyId = r.copy(BROADCAST_KEY_ID_BYTES, 'sender key id');
  const expiresAtSeconds = r.u32('expiry');
  if (r.failed) return r.error!;
  if (r.remaining < SIGNATURE_BYTES) return fail('truncated', r.offset, `signature: need ${SIGNATURE_BYTES} bytes, ${r.remaining} left`);
  const textLength = r.remaining - SIGNATURE_BYTES;
  if (textLength > MAX_BROADCAST_TEXT_BYTES) return fail('too-long', HEADER_BYTES, `broadcast text exceeds ${MAX_BROADCAST_TEXT_BYTES} bytes`);
  const text = fromUtf8Exact(r.bytes(textLength, 'text'));
  if (text === undefined) return fail('bad-encoding', HEADER_BYTES, 'broadcast text is not valid UTF-8');
  const signature = r.copy(SIGNATURE_BYTES, 'signature');
  return ok({ senderKeyId, expiresAtSeconds, text, signature, signed: bytes.subarray(0, bytes.length - SIGNATURE_BYTES) });
}

/**
 * Verifies a broadcast: the key id must resolve to a trusted broadcaster,
 * the signature must verify and the expiry must not have passed.
 */
export function openBroadcast(
  suite: CryptoSuite, bytes: Uint8Array, trustedKey: (keyId: Uint8Array) => Uint8Array | undefined, nowMs: number,
): OpenResult<BroadcastFields> {
  const d = decodeBroadcast(bytes);
  if (!d.ok) return d;
  const key = trustedKey(d.value.senderKeyId);
  if (!key) return openFail('unknown-sender', 1, 'broadcaster key id is not trusted');
  if (!suite.ed25519Verify(key, concatBytes(SIGN_LABEL, d.value.signed), d.value.signature)) {
    return openFail('bad-signature', bytes.length - SIGNATURE_BYTES, 'broadcast signature does not verify');
  }
  if (nowMs >= d.value.expiresAtSeconds * 1000) return openFail('expired', 9, 'broadcast has expired');
  const { senderKeyId, expiresAtSeconds, text } = d.value;
  return { ok: true, value: { senderKeyId, expiresAtSeconds, text } };
}
