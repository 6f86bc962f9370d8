/**
 * The cryptographic primitives Meow uses (DESIGN.md section 3), as an
 * interface that protocol code receives. Two implementations exist and are
 * proven equal by differential tests:
 *   - protocol/crypto/portable.ts: pure JS (@stablelib, @noble/curves), runs anywhere;
 *   - node-runtime/crypto/node-suite.ts: node:crypto where it is faster.
 *
 * Conventions: all keys are raw bytes. An Ed25519 secret key is its 32-byte
 * seed (RFC 8032 section 5.1.5); an X25519 secret key is 32 random bytes
 * (clamped by the primitive, RFC 7748 section 5).
 */

export const KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const AEAD_TAG_BYTES = 16;
export const AEAD_NONCE_BYTES = 12;
export const XAEAD_NONCE_BYTES = 24;
export const HASH_BYTES = 32;

export interface CryptoSuite {
  /** Short name for logs and benchmarks ("portable", "node"). */
  readonly name: string;

  /** X25519 public key for a 32-byte secret (RFC 7748 scalar multiplication by the base point). */
  x25519PublicKey(secretKey: Uint8Array): Uint8Array;
  /**
   * X25519 shared secret. Returns undefined when the peer's public key is a
   * low-order point (the result would be all zeros, RFC 7748 section 6.1):
   * such a key lets an attacker force a known secret, so it is refused.
   */
  x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined;

  /** Ed25519 public key for a 32-byte seed. */
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  /** Ed25519 signature (RFC 8032, pure Ed25519). */
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  /** Verifies an Ed25519 signature; false (never throws) for malformed keys or signatures. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;

  /** ChaCha20-Poly1305 (RFC 8439): returns ciphertext || 16-byte tag. Nonce: 12 bytes, never reused with a key. */
  aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** Returns the plaintext, or undefined when the tag does not verify. */
  aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined;

  /** XChaCha20-Poly1305 (24-byte nonce, safe to draw at random). */
  xaeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  xaeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined;

  /** SHA-256. */
  sha256(data: Uint8Array): Uint8Array;
  /** HMAC-SHA-256 (RFC 2104). */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** HKDF-SHA-256 (RFC 5869). */
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
}
