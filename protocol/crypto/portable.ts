/**
 * Portable crypto suite: pure JavaScript, no node: imports, so protocol code
 * runs in a browser too. Ed25519 comes from @noble/curves because
 * @stablelib/ed25519 manages ~70 signatures/s (DESIGN.md section 6), far too
 * slow for a relay or for announces on a Pi.
 */
import { ChaCha20Poly1305 } from '@stablelib/chacha20poly1305';
import { XChaCha20Poly1305 } from '@stablelib/xchacha20poly1305';
import { scalarMult, scalarMultBase } from '@stablelib/x25519';
import { hash as sha256Hash, SHA256 } from '@stablelib/sha256';
import { hmac } from '@stablelib/hmac';
import { HKDF } from '@stablelib/hkdf';
import { ed25519 } from '@noble/curves/ed25519.js';
import { isAllZero } from '../codec/bytes.ts';
import {
  AEAD_NONCE_BYTES, type CryptoSuite, KEY_BYTES, SIGNATURE_BYTES, XAEAD_NONCE_BYTES,
} from './suite.ts';

function checkLength(what: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new TypeError(`${what} must be ${length} bytes`);
  }
}

export function createPortableSuite(): CryptoSuite {
  return {
    name: 'portable',

    x25519PublicKey(secretKey) {
      checkLength('X25519 secret key', secretKey, KEY_BYTES);
      return scalarMultBase(secretKey);
    },

    x25519(secretKey, publicKey) {
      checkLength('X25519 secret key', secretKey, KEY_BYTES);
      if (publicKey.length !== KEY_BYTES) return undefined;
      const shared = scalarMult(secretKey, publicKey);
      return isAllZero(shared) ? undefined : shared;
    },

    ed25519PublicKey(seed) {
      checkLength('Ed25519 seed', seed, KEY_BYTES);
      return ed25519.getPublicKey(seed);
    },

    ed25519Sign(seed, message) {
      checkLength('Ed25519 seed', seed, KEY_BYTES);
      return ed25519.sign(message, seed);
    },

    ed25519Verify(publicKey, message, signature) {
      if (publicKey.length !== KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
      try {
        // zip215: false gives RFC 8032 / FIPS 186-5 strict verification, the
        // same answers as node:crypto (OpenSSL), which the differential test checks.
        return ed25519.verify(signature, message, publicKey, { zip215: false });
      } catch {
        return false;
      }
    },

    aeadSeal(key, nonce, plaintext, aad) {
      checkLength('AEAD key', key, KEY_BYTES);
      checkLength('AEAD nonce', nonce, AEAD_NONCE_BYTES);
      return new ChaCha20Poly1305(key).seal(nonce, plaintext, aad);
    },

    aeadOpen(key, nonce, sealed, aad) {
      checkLength('AEAD key', key, KEY_BYTES);
      checkLength('AEAD nonce', nonce, AEAD_NONCE_BYTES);
      return new ChaCha20Poly1305(key).open(nonce, sealed, aad) ?? undefined;
    },

    xaeadSeal(key, nonce, plaintext, aad) {
      checkLength('XAEAD key', key, KEY_BYTES);
      checkLength('XAEAD nonce', nonce, XAEAD_NONCE_BYTES);
      return new XChaCha20Poly1305(key).seal(nonce, plaintext, aad);
    },

    xaeadOpen(key, nonce, sealed, aad) {
      checkLength('XAEAD key', key, KEY_BYTES);
      checkLength('XAEAD nonce', nonce, XAEAD_NONCE_BYTES);
      return new XChaCha20Poly1305(key).open(nonce, sealed, aad) ?? undefined;
    },

    sha256(data) {
      return sha256Hash(data);
    },

    hmacSha256(key, data) {
      return hmac(SHA256, key, data);
    },

    hkdf(ikm, salt, info, length) {
      return new HKDF(SHA256, ikm, salt, info).expand(length);
    },
  };
}
