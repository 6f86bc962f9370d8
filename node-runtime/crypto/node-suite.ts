/**
 * The CryptoSuite on node:crypto, used wherever it measured faster
 * (DESIGN.md section 6): X25519 (16x with cached KeyObjects), Ed25519
 * (500x over @stablelib, 25x over @noble), hashing and HKDF. For small AEAD
 * messages node:crypto's per-call cipher setup dominates and the portable
 * ChaCha20-Poly1305 is faster, so AEAD calls below `nativeAeadMinBytes` go
 * to the portable suite. XChaCha20-Poly1305 is not in OpenSSL: portable.
 *
 * Raw 32-byte keys enter KeyObjects through fixed DER prefixes (RFC 8410
 * PKCS#8 / SPKI), except X25519 peer keys (JWK import, below); keys are
 * never *exported* as JWK: that deadlocked Node 20.20.2 in a loop
 * (DESIGN.md section 6). KeyObjects are cached per key *array* in a WeakMap,
 * so no copy of a secret is made into a string, a map key or a cache entry
 * (only the KeyObject itself, inside OpenSSL, which no JavaScript reaches).
 */
import {
  createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey,
  diffieHellman, hkdfSync, type KeyObject, sign, verify,
} from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { constantTimeEqual, isAllZero } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import {
  AEAD_NONCE_BYTES, AEAD_TAG_BYTES, type CryptoSuite, KEY_BYTES, SIGNATURE_BYTES,
} from '../../protocol/crypto/suite.ts';

// RFC 8410 DER prefixes: the 32 raw key bytes follow each one.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface NodeSuiteOptions {
  /** AEAD inputs at least this long use node:crypto; shorter ones the portable code (faster per call). */
  nativeAeadMinBytes?: number;
}

function checkLength(what: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new TypeError(`${what} must be ${length} bytes`);
  }
}

/**
 * KeyObject cache keyed by the Uint8Array that holds the raw key, and
 * checked on every hit against a SHA-256 digest of the bytes it was made
 * from: an array that was overwritten with another key (a reused buffer) or
 * wiped gets a fresh KeyObject, never the old one (a stale key would verify
 * signatures by the previous key, or keep a wiped secret alive). A digest,
 * not a copy: a copy was a second copy of each secret that wiping the
 * original left behind (issue 9 item 7); a digest reveals nothing of a
 * 32-byte key. The hash costs about 1 us per call, against 35-250 us for
 * the X25519 or Ed25519 operation it serves. The comparison is constant
 * time, since for secret keys the digest is derived from secret bytes.
 */
function keyCache(make: (raw: Uint8Array) => KeyObject): (raw: Uint8Array) => KeyObject {
  const cache = new WeakMap<Uint8Array, { digest: Uint8Array; key: KeyObject }>();
  const digestOf = (raw: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(raw).digest());
  return (raw) => {
    const digest = digestOf(raw);
    const hit = cache.get(raw);
    if (hit && constantTimeEqual(hit.digest, digest)) return hit.key;
    const key = make(raw);
    cache.set(raw, { digest, key });
    return key;
  };
}

const der = (prefix: Buffer, raw: Uint8Array): Buffer => Buffer.concat([prefix, raw]);

function rawPublic(key: KeyObject, prefix: Buffer): Uint8Array {
  const spki = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(prefix.length));
}

export function createNodeSuite(options: NodeSuiteOptions = {}): CryptoSuite {
  const portable = createPortableSuite();
  const nativeAeadMinBytes = options.nativeAeadMinBytes ?? 1024;

  const x25519Secret = keyCache((raw) => createPrivateKey({ key: der(X25519_PKCS8_PREFIX, raw), format: 'der', type: 'pkcs8' }));
  // Peer public keys are often fresh (an ephemeral per sealed request), so the
  // cache misses; importing the 32 bytes as an RFC 8037 JWK is about ten times
  // cheaper than OpenSSL's SPKI DER decoder. Only import: JWK *export* is what
  // deadlocked (above).
  const x25519Public = keyCache((raw) => createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url') },
    format: 'jwk',
  }));
  const edSecret = keyCache((raw) => createPrivateKey({ key: der(ED25519_PKCS8_PREFIX, raw), format: 'der', type: 'pkcs8' }));
  const edPublic = keyCache((raw) => {
    // OpenSSL accepts a small-order public key (e.g. the identity point),
    // for which one signature verifies on every message: a universal
    // forgery. RFC 8032 strict verification (and the portable suite) refuse
    // such keys, so refuse them here too, once per key (the result is cached).
    if (ed25519.Point.fromBytes(raw).isSmallOrder()) throw new Error('small-order Ed25519 public key');
    return createPublicKey({ key: der(ED25519_SPKI_PREFIX, raw), format: 'der', type: 'spki' });
  });

  return {
    name: 'node',

    x25519PublicKey(secretKey) {
      checkLength('X25519 secret key', secretKey, KEY_BYTES);
      return rawPublic(createPublicKey(x25519Secret(secretKey)), X25519_SPKI_PREFIX);
    },

    x25519(secretKey, publicKey) {
      checkLength('X25519 secret key', secretKey, KEY_BYTES);
      if (publicKey.length !== KEY_BYTES) return undefined;
      let shared: Uint8Array;
      try {
        shared = new Uint8Array(diffieHellman({ privateKey: x25519Secret(secretKey), publicKey: x25519Public(publicKey) }));
      } catch {
        // OpenSSL refuses an all-zero result itself (RFC 7748 section 6.1).
        return undefined;
      }
      return isAllZero(shared) ? undefined : shared;
    },

    ed25519PublicKey(seed) {
      checkLength('Ed25519 seed', seed, KEY_BYTES);
      return rawPublic(createPublicKey(edSecret(seed)), ED25519_SPKI_PREFIX);
    },

    ed25519Sign(seed, message) {
      checkLength('Ed25519 seed', seed, KEY_BYTES);
      return new Uint8Array(sign(null, message, edSecret(seed)));
    },

    ed25519Verify(publicKey, message, signature) {
      if (publicKey.length !== KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
      try {
        return verify(null, message, edPublic(publicKey), signature);
      } catch {
        return false;
      }
    },

    aeadSeal(key, nonce, plaintext, aad) {
      if (plaintext.length < nativeAeadMinBytes) return portable.aeadSeal(key, nonce, plaintext, aad);
      checkLength('AEAD key', key, KEY_BYTES);
      checkLength('AEAD nonce', nonce, AEAD_NONCE_BYTES);
      const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: AEAD_TAG_BYTES });
      cipher.setAAD(aad, { plaintextLength: plaintext.length });
      const body = cipher.update(plaintext);
      cipher.final();
      return new Uint8Array(Buffer.concat([body, cipher.getAuthTag()]));
    },

    aeadOpen(key, nonce, sealed, aad) {
      if (sealed.length - AEAD_TAG_BYTES < nativeAeadMinBytes) return portable.aeadOpen(key, nonce, sealed, aad);
      checkLength('AEAD key', key, KEY_BYTES);
      checkLength('AEAD nonce', nonce, AEAD_NONCE_BYTES);
      const bodyLength = sealed.length - AEAD_TAG_BYTES;
      const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: AEAD_TAG_BYTES });
      decipher.setAuthTag(sealed.subarray(bodyLength));
      decipher.setAAD(aad, { plaintextLength: bodyLength });
      const body = decipher.update(sealed.subarray(0, bodyLength));
      try {
        decipher.final();
      } catch {
        return undefined;
      }
      return new Uint8Array(body);
    },

    xaeadSeal: (key, nonce, plaintext, aad) => portable.xaeadSeal(key, nonce, plaintext, aad),
    xaeadOpen: (key, nonce, sealed, aad) => portable.xaeadOpen(key, nonce, sealed, aad),

    sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
    hmacSha256: (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
    hkdf: (ikm, salt, info, length) => new Uint8Array(hkdfSync('sha256', ikm, salt, info, length)),
  };
}
