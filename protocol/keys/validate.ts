/**
 * Public key checks applied to every key that arrives from outside (cards,
 * rotations). A key that fails is refused before any use.
 *
 * X25519 (RFC 7748): only the canonical encoding of u < 2^255 - 19 with the
 * top bit clear is accepted (an honest public key always is), and a key
 * whose shared secret with a fixed probe scalar is all zeros is low order
 * (section 6.1): with such a key an attacker forces a known shared secret.
 * The clamped probe scalar is a multiple of the cofactor 8, so the product
 * is zero exactly for the points of order 1, 2, 4 and 8 on the curve and
 * its twist.
 *
 * Ed25519 (RFC 8032 section 5.1.3): the key must decode to a curve point
 * with canonical y, and must not be of small order: for a small-order key a
 * forger can produce signatures that verify for many messages without any
 * secret. The point check uses @noble/curves directly because CryptoSuite
 * has no "decode point" operation; it is pure code and cheap (~13k/s).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { KEY_BYTES, type CryptoSuite } from '../crypto/suite.ts';

/** Any fixed scalar works: clamping makes it a multiple of 8 (RFC 7748 section 5). */
const PROBE_SCALAR = new Uint8Array(KEY_BYTES).fill(0x42);

/** True when the 32 little-endian bytes encode u >= 2^255 - 19 or have the top bit set. */
function isNonCanonicalU(key: Uint8Array): boolean {
  const top = key[31] as number;
  if (top & 0x80) return true;
  if (top !== 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (key[i] !== 0xff) return false;
  return (key[0] as number) >= 0xed;
}

export function isAcceptableX25519PublicKey(suite: CryptoSuite, key: Uint8Array): boolean {
  if (key.length !== KEY_BYTES || isNonCanonicalU(key)) return false;
  return suite.x25519(PROBE_SCALAR, key) !== undefined;
}

export function isAcceptableEd25519PublicKey(key: Uint8Array): boolean {
  if (key.length !== KEY_BYTES) return false;
  try {
    // zip215 = false: RFC 8032 strict decoding (y < p, no "negative zero").
    return !ed25519.Point.fromBytes(key, false).isSmallOrder();
  } catch {
    return false;
  }
}
