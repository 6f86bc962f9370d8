/**
 * The relay's crypto suite: the node suite with the per-request hot path
 * changed. Every sealed request costs the relay one X25519 with a fresh
 * ephemeral key, one AEAD open and one XAEAD seal, and every signed request
 * (fetch, register, presence) one Ed25519 verification.
 *
 * With libsodium (./sodium.ts, when it loads) those go to libsodium, measured
 * on the 2-core development machine (docs/BENCHMARKS.md section "relay"):
 * Ed25519 verify 122 us against OpenSSL's 246-270 us, X25519 with raw bytes
 * 71 us against 104-129 us for OpenSSL plus the key import, XChaCha20-Poly1305
 * of 1 kB 7 us against the portable suite's JS. Behaviour is the same (the
 * differential tests in test/gateway/relay/relay-suite.test.ts): low-order
 * X25519 points give undefined; libsodium's Ed25519 verification is strict
 * (small-order or non-canonical keys, small-order R and non-canonical S are
 * refused), which is never looser than the node or portable suite's.
 *
 * Without libsodium the node suite's own X25519 serves (it imports peer keys
 * as JWK, about ten times faster than through their SPKI DER form).
 */
import { createHmac } from 'node:crypto';
import { isAllZero } from '../../../protocol/codec/bytes.ts';
import {
  AEAD_NONCE_BYTES, AEAD_TAG_BYTES, type CryptoSuite, KEY_BYTES, SIGNATURE_BYTES, XAEAD_NONCE_BYTES,
} from '../../../protocol/crypto/suite.ts';
import { loadSodium, type SodiumBinding } from './sodium.ts';

export interface RelaySuiteOptions {
  /** The libsodium binding to use; false: node:crypto only. Default: loaded when available. */
  readonly sodium?: SodiumBinding | false;
}

export function createRelaySuite(base: CryptoSuite, options: RelaySuiteOptions = {}): CryptoSuite {
  const sodium = options.sodium === false ? undefined : options.sodium ?? loadSodium();
  const suite = sodium ? sodiumSuite(base, sodium) : jwkSuite(base);
  return { ...suite, hkdf: (ikm, salt, info, length) => hmacHkdf(base, ikm, salt, info, length) };
}

const HKDF_MAX_BYTES = 255 * 32;

/**
 * HKDF-SHA256 (RFC 5869 section 2) over node:crypto's HMAC. node's hkdfSync
 * wraps both inputs in KeyObjects on every call: 5 % of the relay's CPU
 * profile under the HTTP bench, for the one HKDF of each sealed request,
 * against about a third of that for three plain HMAC calls. Checked against
 * the RFC 5869 vectors in test/gateway/relay/relay-suite.test.ts; sizes the
 * relay never uses go to the base suite (which also throws for bad ones).
 */
function hmacHkdf(base: CryptoSuite, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > HKDF_MAX_BYTES) return base.hkdf(ikm, salt, info, length);
  // RFC 5869 section 2.2: an absent salt is HashLen zero bytes, which HMAC pads to the same key as an empty one.
  const prk = createHmac('sha256', salt).update(ikm).digest();
  const okm = new Uint8Array(length);
  let previous: Buffer = Buffer.alloc(0);
  for (let i = 1, at = 0; at < length; i++) {
    previous = createHmac('sha256', prk).update(previous).update(info).update(Uint8Array.of(i)).digest();
    okm.set(previous.subarray(0, Math.min(previous.length, length - at)), at);
    at += previous.length;
  }
  prk.fill(0);
  previous.fill(0);
  return okm;
}

function checkSecret(secret: Uint8Array): void {
  if (!(secret instanceof Uint8Array) || secret.length !== KEY_BYTES) throw new TypeError(`X25519 secret key must be ${KEY_BYTES} bytes`);
}

function sodiumSuite(base: CryptoSuite, sodium: SodiumBinding): CryptoSuite {
  // Wrong key or nonce sizes are programmer errors: the base suite throws its own TypeError for them.
  const sized = (key: Uint8Array, nonce: Uint8Array, nonceBytes: number): boolean =>
    key instanceof Uint8Array && key.length === KEY_BYTES && nonce instanceof Uint8Array && nonce.length === nonceBytes;
  return {
    ...base,
    name: `${base.name}+sodium`,
    x25519(secret, publicKey) {
      checkSecret(secret);
      if (publicKey.length !== KEY_BYTES) return undefined;
      const shared = new Uint8Array(KEY_BYTES);
      try {
        sodium.crypto_scalarmult(shared, secret, publicKey);
      } catch {
        // libsodium refuses an all-zero shared secret (RFC 7748 section 6.1).
        return undefined;
      }
      return isAllZero(shared) ? undefined : shared;
    },
    ed25519Verify(publicKey, message, signature) {
      if (publicKey.length !== KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
      return sodium.crypto_sign_verify_detached(signature, message, publicKey);
    },
    aeadSeal(key, nonce, plaintext, aad) {
      if (!sized(key, nonce, AEAD_NONCE_BYTES)) return base.aeadSeal(key, nonce, plaintext, aad);
      const out = new Uint8Array(plaintext.length + AEAD_TAG_BYTES);
      sodium.crypto_aead_chacha20poly1305_ietf_encrypt(out, plaintext, aad, null, nonce, key);
      return out;
    },
    aeadOpen(key, nonce, sealed, aad) {
      if (!sized(key, nonce, AEAD_NONCE_BYTES)) return base.aeadOpen(key, nonce, sealed, aad);
      if (sealed.length < AEAD_TAG_BYTES) return undefined;
      const out = new Uint8Array(sealed.length - AEAD_TAG_BYTES);
      try {
        sodium.crypto_aead_chacha20poly1305_ietf_decrypt(out, null, sealed, aad, nonce, key);
      } catch {
        return undefined;
      }
      return out;
    },
    xaeadSeal(key, nonce, plaintext, aad) {
      if (!sized(key, nonce, XAEAD_NONCE_BYTES)) return base.xaeadSeal(key, nonce, plaintext, aad);
      const out = new Uint8Array(plaintext.length + AEAD_TAG_BYTES);
      sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, plaintext, aad, null, nonce, key);
      return out;
    },
    xaeadOpen(key, nonce, sealed, aad) {
      if (!sized(key, nonce, XAEAD_NONCE_BYTES)) return base.xaeadOpen(key, nonce, sealed, aad);
      if (sealed.length < AEAD_TAG_BYTES) return undefined;
      const out = new Uint8Array(sealed.length - AEAD_TAG_BYTES);
      try {
        sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(out, null, sealed, aad, nonce, key);
      } catch {
        return undefined;
      }
      return out;
    },
  };
}

/**
 * Without libsodium the node suite already does what the relay needs: it
 * imports fresh X25519 peer keys as JWK and checks its key cache by content
 * (node-runtime/crypto/node-suite.ts), so only the name changes.
 */
function jwkSuite(base: CryptoSuite): CryptoSuite {
  return { ...base, name: `${base.name}+relay` };
}
