/**
 * The portable and the Node suites must give the same bytes and the same
 * verdicts for every input, including hostile ones (mutated signatures,
 * keys that are not curve points, tampered ciphertexts).
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';

const portable = createPortableSuite();
const native = createNodeSuite({ nativeAeadMinBytes: 0 });
const hybrid = createNodeSuite();

function mutate(random: SeededRandom, bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (out.length === 0) return out;
  const flips = 1 + random.int(3);
  for (let i = 0; i < flips; i++) out[random.int(out.length)]! ^= 1 << random.int(8);
  return out;
}

describe('portable and node suites agree', () => {
  it('X25519 on 300 random key pairs and 300 random (often invalid) public keys', () => {
    const random = new SeededRandom('diff-x25519');
    for (let i = 0; i < 300; i++) {
      const a = random.bytes(32);
      const b = random.bytes(32);
      const pubB = portable.x25519PublicKey(b);
      expect(toHex(native.x25519PublicKey(b))).toBe(toHex(pubB));
      expect(toHex(native.x25519(a, pubB)!)).toBe(toHex(portable.x25519(a, pubB)!));
      // Random 32 bytes: half are not on the curve but on its twist; X25519 is defined on both.
      const junk = random.bytes(32);
      const p = portable.x25519(a, junk);
      const n = native.x25519(a, junk);
      expect(n === undefined ? 'refused' : toHex(n), `case ${i}`).toBe(p === undefined ? 'refused' : toHex(p));
    }
  });

  it('Ed25519 signatures and verdicts on 300 messages, with mutated signatures, keys and messages', () => {
    const random = new SeededRandom('diff-ed25519');
    for (let i = 0; i < 300; i++) {
      const seed = random.bytes(32);
      const message = random.bytes(random.int(300));
      const pub = portable.ed25519PublicKey(seed);
      expect(toHex(native.ed25519PublicKey(seed))).toBe(toHex(pub));
      const sig = portable.ed25519Sign(seed, message);
      expect(toHex(native.ed25519Sign(seed, message))).toBe(toHex(sig));
      expect(native.ed25519Verify(pub, message, sig)).toBe(true);
      expect(portable.ed25519Verify(pub, message, sig)).toBe(true);
      for (const [what, p, m, s] of [
        ['signature', pub, message, mutate(random, sig)],
        ['key', mutate(random, pub), message, sig],
        ['message', pub, mutate(random, message), sig],
        ['random key', random.bytes(32), message, sig],
      ] as const) {
        expect(native.ed25519Verify(p, m, s), `${what} case ${i}`).toBe(portable.ed25519Verify(p, m, s));
      }
    }
  });

  it('ChaCha20-Poly1305 at sizes across the native threshold, sealed by one and opened by the other', () => {
    const random = new SeededRandom('diff-aead');
    for (const size of [0, 1, 5, 15, 16, 17, 63, 64, 65, 200, 1023, 1024, 1025, 4096, 65536]) {
      const key = random.bytes(32);
      const nonce = random.bytes(12);
      const aad = random.bytes(random.int(40));
      const plaintext = random.bytes(size);
      const a = portable.aeadSeal(key, nonce, plaintext, aad);
      const b = native.aeadSeal(key, nonce, plaintext, aad);
      expect(toHex(b), `size ${size}`).toBe(toHex(a));
      expect(toHex(hybrid.aeadSeal(key, nonce, plaintext, aad))).toBe(toHex(a));
      expect(native.aeadOpen(key, nonce, a, aad)).toEqual(plaintext);
      expect(portable.aeadOpen(key, nonce, b, aad)).toEqual(plaintext);
      const bad = mutate(random, a);
      expect(native.aeadOpen(key, nonce, bad, aad)).toBeUndefined();
      expect(portable.aeadOpen(key, nonce, bad, aad)).toBeUndefined();
    }
  });

  it('Ed25519 edge cases where libraries are known to differ: non-canonical S and small-order keys', () => {
    const L = (1n << 252n) + 27742317777372353535851937790883648493n; // group order, RFC 8032 section 5.1
    const seed = new SeededRandom('diff-ed-edge').bytes(32);
    const pub = portable.ed25519PublicKey(seed);
    const message = new Uint8Array([1, 2, 3]);
    const sig = portable.ed25519Sign(seed, message);
    // S + L encodes the same scalar non-canonically: RFC 8032 section 5.1.7 requires S < L.
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
    const malleable = sig.slice();
    let t = s + L;
    for (let i = 0; i < 32; i++, t >>= 8n) malleable[32 + i] = Number(t & 255n);
    expect(portable.ed25519Verify(pub, message, malleable)).toBe(false);
    expect(native.ed25519Verify(pub, message, malleable)).toBe(false);
    // The identity point as a public key, with R = identity and S = 0, "verifies"
    // every message under OpenSSL's rules: both suites must refuse it.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const forged = new Uint8Array(64);
    forged.set(identity, 0);
    expect(portable.ed25519Verify(identity, message, forged)).toBe(false);
    expect(native.ed25519Verify(identity, message, forged)).toBe(false);
  });

  it('a key array reused for another key, or wiped, is never served from the cache (security review L4)', () => {
    const suite = createNodeSuite();
    const random = new SeededRandom('cache-reuse');
    const seed1 = random.bytes(32);
    const seed2 = random.bytes(32);
    const message = random.bytes(40);
    const sig1 = suite.ed25519Sign(seed1, message);
    const pub = suite.ed25519PublicKey(seed1);
    expect(suite.ed25519Verify(pub, message, sig1)).toBe(true);
    pub.set(suite.ed25519PublicKey(seed2)); // the same array now holds key 2
    expect(suite.ed25519Verify(pub, message, sig1)).toBe(false);
    const secret = random.bytes(32);
    const peer = suite.x25519PublicKey(random.bytes(32));
    const shared = suite.x25519(secret, peer)!;
    secret.fill(0); // wiped: the old shared secret must not come back
    const after = suite.x25519(secret, peer);
    expect(after === undefined ? 'refused' : toHex(after)).not.toBe(toHex(shared));
    const seedArray = seed1.slice();
    const sigA = suite.ed25519Sign(seedArray, message);
    seedArray.set(seed2);
    expect(toHex(suite.ed25519Sign(seedArray, message))).not.toBe(toHex(sigA));
  });

  it('truncated AEAD inputs shorter than the tag are refused by both, not thrown', () => {
    const key = new Uint8Array(32);
    const nonce = new Uint8Array(12);
    for (let n = 0; n < 16; n++) {
      expect(native.aeadOpen(key, nonce, new Uint8Array(n), new Uint8Array(0))).toBeUndefined();
      expect(portable.aeadOpen(key, nonce, new Uint8Array(n), new Uint8Array(0))).toBeUndefined();
    }
  });

  it('SHA-256, HMAC and HKDF on random inputs', () => {
    const random = new SeededRandom('diff-hash');
    for (let i = 0; i < 200; i++) {
      const data = random.bytes(random.int(500));
      const key = random.bytes(random.int(100));
      const length = 1 + random.int(255);
      expect(toHex(native.sha256(data))).toBe(toHex(portable.sha256(data)));
      expect(toHex(native.hmacSha256(key, data))).toBe(toHex(portable.hmacSha256(key, data)));
      const info = random.bytes(random.int(20));
      expect(toHex(native.hkdf(data, key, info, length))).toBe(toHex(portable.hkdf(data, key, info, length)));
    }
  });

  it('refuses wrong key and nonce lengths as programmer errors in both', () => {
    for (const suite of [portable, native]) {
      expect(() => suite.aeadSeal(new Uint8Array(31), new Uint8Array(12), new Uint8Array(1), new Uint8Array(0))).toThrow(TypeError);
      expect(() => suite.aeadSeal(new Uint8Array(32), new Uint8Array(11), new Uint8Array(1), new Uint8Array(0))).toThrow(TypeError);
      expect(() => suite.ed25519Sign(new Uint8Array(31), new Uint8Array(1))).toThrow(TypeError);
      expect(suite.ed25519Verify(new Uint8Array(31), new Uint8Array(1), new Uint8Array(64))).toBe(false);
      expect(suite.x25519(new Uint8Array(32).fill(7), new Uint8Array(31))).toBeUndefined();
    }
  });
});
