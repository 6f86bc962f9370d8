/**
 * Origin block (docs/PROTOCOL.md section "mesh", "Authenticated source"):
 * what lets the destination of a direct message learn, and trust, which
 * node sent it. The frame MAC is keyed with the network key, which is
 * public by default, so it proves nothing about a source; this block is
 * keyed with a pairwise key only the two nodes can compute.
 *
 *   short form, 11 bytes:                  keyed form, 41 bytes:
 *   +------+-------------+-----------+     +------+---------------------------+-----------+
 *   | 0x00 | source hint | MAC (8 B) |     | 0x01 | source Ed25519 key (32 B) | MAC (8 B) |
 *   +------+-------------+-----------+     +------+---------------------------+-----------+
 *   followed by the envelope.
 *
 *   pair key = HKDF-SHA-256(ikm  = X25519(own node key, peer node key),
 *                           salt = "meow-mesh-pair-v1",
 *                           info = lower node id || higher node id, 32 bytes)
 *   MAC      = HMAC-SHA-256(pair key, 0x04 || source id || destination id || envelope)[0..8]
 *   ack proof = HMAC-SHA-256(pair key, 0x05 || destination id || acked key)[0..4]
 *
 * Node keys are the announced Ed25519 keys, used for X25519 through the
 * birational map (RFC 7748 section 4.1, as libsodium's
 * crypto_sign_ed25519_pk_to_curve25519), as gateway registrations already do:
 * no second key is announced. The keyed form carries the source's key, so a
 * destination that never heard the source's announce can still check it
 * (possession of the secret is what the MAC proves; the node id is the
 * hash of the key). A source uses it until the destination's pairwise ack
 * shows the key is known there, then the short form (the destination finds
 * the key by the 16-bit hint among the keys it holds).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { MeshError } from './errors.ts';
import { NODE_ID_BYTES } from './node-id.ts';

export const ORIGIN_MAC_BYTES = 8;
export const ORIGIN_SHORT_BYTES = 1 + 2 + ORIGIN_MAC_BYTES;
export const ORIGIN_KEYED_BYTES = 1 + 32 + ORIGIN_MAC_BYTES;
export const PAIR_KEY_BYTES = 32;

const FORM_SHORT = 0x00;
const FORM_KEYED = 0x01;
const PAIR_SALT = new TextEncoder().encode('meow-mesh-pair-v1');

export type Origin =
  | { readonly form: 'short'; readonly sourceHint: number; readonly mac: Uint8Array }
  | { readonly form: 'keyed'; readonly publicKey: Uint8Array; readonly mac: Uint8Array };

export interface OriginBody {
  readonly origin: Origin;
  readonly envelope: Uint8Array;
}

/** origin || envelope. */
export function encodeOriginBody(origin: Origin, envelope: Uint8Array): Uint8Array {
  if (origin.mac.length !== ORIGIN_MAC_BYTES) throw new MeshError('bad-field', `origin MAC of ${origin.mac.length} bytes`);
  if (origin.form === 'short') {
    if (!Number.isInteger(origin.sourceHint) || origin.sourceHint < 0 || origin.sourceHint > 0xffff) {
      throw new MeshError('bad-field', `source hint ${origin.sourceHint}`);
    }
    return concatBytes(new Uint8Array([FORM_SHORT, origin.sourceHint >>> 8, origin.sourceHint & 0xff]), origin.mac, envelope);
  }
  if (origin.publicKey.length !== 32) throw new MeshError('bad-key', 'node public key must be 32 bytes');
  return concatBytes(new Uint8Array([FORM_KEYED]), origin.publicKey, origin.mac, envelope);
}

/** Splits a sourced body; the returned fields are views into `body`. Never throws. */
export function decodeOriginBody(body: Uint8Array): DecodeResult<OriginBody> {
  const r = new ByteReader(body);
  const form = r.u8('origin form');
  if (r.error) return r.error;
  let origin: Origin;
  if (form === FORM_SHORT) {
    const sourceHint = r.u16('origin source hint');
    const mac = r.bytes(ORIGIN_MAC_BYTES, 'origin MAC');
    if (r.error) return r.error;
    origin = { form: 'short', sourceHint, mac };
  } else if (form === FORM_KEYED) {
    const publicKey = r.bytes(32, 'origin node key');
    const mac = r.bytes(ORIGIN_MAC_BYTES, 'origin MAC');
    if (r.error) return r.error;
    origin = { form: 'keyed', publicKey, mac };
  } else {
    return fail('bad-value', 0, `origin form ${form}`);
  }
  if (r.remaining === 0) return r.reject('truncated', 'sourced body without an envelope');
  return ok({ origin, envelope: r.rest() });
}

function checkId(id: Uint8Array): void {
  if (id.length !== NODE_ID_BYTES) throw new MeshError('bad-key', `node id must be ${NODE_ID_BYTES} bytes`);
}

/**
 * The key two nodes share (same on both sides: the ids are sorted).
 * Undefined when the peer's key is not a valid Ed25519 point or maps to a
 * low-order X25519 point (a forced, known secret).
 */
export function pairKey(
  suite: CryptoSuite, ownSeed: Uint8Array, ownId: Uint8Array, peerPublicKey: Uint8Array, peerId: Uint8Array,
): Uint8Array | undefined {
  checkId(ownId);
  checkId(peerId);
  let peerX: Uint8Array;
  try {
    peerX = ed25519.utils.toMontgomery(peerPublicKey);
  } catch {
    return undefined;
  }
  const shared = suite.x25519(ed25519.utils.toMontgomerySecret(ownSeed), peerX);
  if (!shared) return undefined;
  const ownFirst = compareBytes(ownId, peerId) <= 0;
  const info = ownFirst ? concatBytes(ownId, peerId) : concatBytes(peerId, ownId);
  return suite.hkdf(shared, PAIR_SALT, info, PAIR_KEY_BYTES);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** The 8-byte MAC of an origin block. */
export function originMac(suite: CryptoSuite, key: Uint8Array, sourceId: Uint8Array, destId: Uint8Array, envelope: Uint8Array): Uint8Array {
  checkId(sourceId);
  checkId(destId);
  return suite.hmacSha256(key, concatBytes(new Uint8Array([0x04]), sourceId, destId, envelope)).slice(0, ORIGIN_MAC_BYTES);
}

/** The 4-byte ack proof of a destination that authenticated the source (replaces frame-auth.ts ackProof). */
export function pairAckProof(suite: CryptoSuite, key: Uint8Array, destId: Uint8Array, ackedKey: number): Uint8Array {
  checkId(destId);
  const k = new Uint8Array([ackedKey >>> 24, (ackedKey >>> 16) & 0xff, (ackedKey >>> 8) & 0xff, ackedKey & 0xff]);
  return suite.hmacSha256(key, concatBytes(new Uint8Array([0x05]), destId, k)).slice(0, 4);
}
