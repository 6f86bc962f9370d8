/**
 * The relay's crypto suite, in both forms (libsodium, and node:crypto with
 * the JWK import path): published vectors (RFC 7748, RFC 8032, RFC 8439,
 * draft-irtf-cfrg-xchacha-03, under test/vectors/crypto) and the same
 * answers as the portable suite on random and hostile inputs (low-order
 * X25519 points, a small-order Ed25519 key, mutated signatures and
 * ciphertexts).
 */
import { describe, expect, it } from 'vitest';
import { createPortableSuite } from '../../../protocol/crypto/portable.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { utf8 } from '../../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../../node-runtime/crypto/node-suite.ts';
import { createRelaySuite } from '../../../gateway/server/crypto/relay-suite.ts';
import { loadSodium } from '../../../gateway/server/crypto/sodium.ts';
import { hex, loadVectors } from '../../crypto/vectors.ts';

interface AeadVector { name: string; key: string; nonce: string; aad: string; plaintextUtf8: string; ciphertext: string; tag: string }
interface EdVector { name: string; public: string; message: string; signature: string }

const x25519Vectors = loadVectors<{ scalarMult: { name: string; scalar: string; u: string; output: string }[] }>('x25519-rfc7748.json');
const lowOrder = loadVectors<{ points: { name: string; u: string }[] }>('x25519-low-order.json');
const edVectors = loadVectors<{ vectors: EdVector[] }>('ed25519-rfc8032.json');
const chachaVectors = loadVectors<{ vectors: AeadVector[] }>('chacha20poly1305-rfc8439.json');
const xchachaVectors = loadVectors<{ vectors: AeadVector[] }>('xchacha20poly1305-draft.json');
const hkdfVectors = loadVectors<{ vectors: { name: string; ikm: string; salt: string; info: string; length: number; okm: string }[] }>('hkdf-rfc5869.json');

const portable = createPortableSuite();
const sodium = loadSodium();

it('loads libsodium on this machine (linux-x64 has a prebuilt binary)', () => {
  expect(sodium).toBeDefined();
  expect(createRelaySuite(createNodeSuite()).name).toBe('node+sodium');
  expect(createRelaySuite(createNodeSuite(), { sodium: false }).name).toBe('node+relay');
});

const suites: [string, CryptoSuite][] = [
  ['libsodium', createRelaySuite(createNodeSuite(), sodium ? { sodium } : {})],
  ['node:crypto (JWK import)', createRelaySuite(createNodeSuite(), { sodium: false })],
];

function flip(bytes: Uint8Array, i: number): Uint8Array {
  const copy = bytes.slice();
  copy[i % copy.length]! ^= 1 << (i % 8);
  return copy;
}

describe.each(suites)('relay crypto suite: %s', (_name, relay) => {
  it('matches RFC 7748 section 5.2', () => {
    for (const v of x25519Vectors.scalarMult) expect(relay.x25519(hex(v.scalar), hex(v.u)), v.name).toEqual(hex(v.output));
  });

  it('agrees with the portable suite on 300 random exchanges', () => {
    const rnd = new SeededRandom('relay-suite');
    for (let i = 0; i < 300; i++) {
      const a = rnd.bytes(32);
      const peer = portable.x25519PublicKey(rnd.bytes(32));
      expect(relay.x25519(a, peer)).toEqual(portable.x25519(a, peer));
    }
  });

  it('refuses every low-order public key like the portable suite', () => {
    const secret = new SeededRandom('lo').bytes(32);
    for (const p of lowOrder.points) {
      expect(portable.x25519(secret, hex(p.u)), p.name).toBeUndefined();
      expect(relay.x25519(secret, hex(p.u)), p.name).toBeUndefined();
    }
    expect(relay.x25519(secret, new Uint8Array(31))).toBeUndefined();
    expect(() => relay.x25519(new Uint8Array(5), new Uint8Array(32))).toThrow(TypeError);
  });

  it('verifies the RFC 8032 signatures and refuses every one-bit change', () => {
    for (const v of edVectors.vectors) {
      const [pub, msg, sig] = [hex(v.public), hex(v.message), hex(v.signature)];
      expect(relay.ed25519Verify(pub, msg, sig), v.name).toBe(true);
      for (let i = 0; i < 64 * 8; i += 7) expect(relay.ed25519Verify(pub, msg, flip(sig, i)), `${v.name} sig bit ${i}`).toBe(false);
      for (let i = 0; i < 32 * 8; i += 11) expect(relay.ed25519Verify(flip(pub, i), msg, sig), `${v.name} key bit ${i}`).toBe(false);
      if (msg.length > 0) expect(relay.ed25519Verify(pub, flip(msg, 3), sig)).toBe(false);
    }
  });

  it('agrees with the portable suite on signatures, including a small-order key and wrong sizes', () => {
    const rnd = new SeededRandom('relay-ed');
    for (let i = 0; i < 100; i++) {
      const seed = rnd.bytes(32);
      const pub = portable.ed25519PublicKey(seed);
      const msg = rnd.bytes(i);
      const sig = portable.ed25519Sign(seed, msg);
      expect(relay.ed25519Verify(pub, msg, sig)).toBe(true);
      const bad = flip(sig, i * 13);
      expect(relay.ed25519Verify(pub, msg, bad)).toBe(portable.ed25519Verify(pub, msg, bad));
    }
    // The identity point as a key with R = identity, S = 0 "verifies" any message under a lax
    // cofactorless check; RFC 8032 strict verification refuses the small-order key.
    const identity = hex('0100000000000000000000000000000000000000000000000000000000000000');
    const forged = new Uint8Array(64);
    forged.set(identity, 0);
    expect(portable.ed25519Verify(identity, utf8('anything'), forged)).toBe(false);
    expect(relay.ed25519Verify(identity, utf8('anything'), forged)).toBe(false);
    expect(relay.ed25519Verify(new Uint8Array(31), utf8('x'), new Uint8Array(64))).toBe(false);
    expect(relay.ed25519Verify(identity, utf8('x'), new Uint8Array(63))).toBe(false);
  });

  it.each([
    ['ChaCha20-Poly1305 (RFC 8439 section 2.8.2)', chachaVectors.vectors, 'aead'],
    ['XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 A.3.1)', xchachaVectors.vectors, 'xaead'],
  ] as const)('seals and opens %s', (_label, vectors, kind) => {
    const seal = kind === 'aead' ? relay.aeadSeal : relay.xaeadSeal;
    const open = kind === 'aead' ? relay.aeadOpen : relay.xaeadOpen;
    for (const v of vectors) {
      const [key, nonce, aad, plain] = [hex(v.key), hex(v.nonce), hex(v.aad), utf8(v.plaintextUtf8)];
      const sealed = new Uint8Array([...hex(v.ciphertext), ...hex(v.tag)]);
      expect(seal(key, nonce, plain, aad)).toEqual(sealed);
      expect(open(key, nonce, sealed, aad)).toEqual(plain);
      for (let i = 0; i < sealed.length * 8; i += 37) expect(open(key, nonce, flip(sealed, i), aad), `bit ${i}`).toBeUndefined();
      expect(open(key, nonce, sealed, flip(aad, 0))).toBeUndefined();
      expect(open(key, nonce, sealed.subarray(0, 15), aad)).toBeUndefined();
    }
  });

  it('derives the RFC 5869 keys (HKDF-SHA256) and the portable suite\'s at every length up to 300 bytes', () => {
    for (const v of hkdfVectors.vectors) expect(relay.hkdf(hex(v.ikm), hex(v.salt), hex(v.info), v.length), v.name).toEqual(hex(v.okm));
    const rnd = new SeededRandom('relay-hkdf');
    for (let n = 0; n <= 300; n++) {
      const [ikm, salt, info] = [rnd.bytes(n % 70), rnd.bytes(n % 3 === 0 ? 0 : 64), rnd.bytes(n % 20)];
      expect(relay.hkdf(ikm, salt, info, n)).toEqual(portable.hkdf(ikm, salt, info, n));
    }
    expect(() => relay.hkdf(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), 255 * 32 + 1)).toThrow();
  });

  it('seals like the portable suite at every size from 0 to 1,300 bytes', () => {
    const rnd = new SeededRandom('relay-aead');
    for (let n = 0; n <= 1300; n += 13) {
      const [key, nonce, xnonce, aad, plain] = [rnd.bytes(32), rnd.bytes(12), rnd.bytes(24), rnd.bytes(n % 40), rnd.bytes(n)];
      expect(relay.aeadSeal(key, nonce, plain, aad)).toEqual(portable.aeadSeal(key, nonce, plain, aad));
      expect(relay.xaeadSeal(key, xnonce, plain, aad)).toEqual(portable.xaeadSeal(key, xnonce, plain, aad));
      expect(relay.xaeadOpen(key, xnonce, portable.xaeadSeal(key, xnonce, plain, aad), aad)).toEqual(plain);
    }
    expect(() => relay.aeadSeal(new Uint8Array(31), new Uint8Array(12), new Uint8Array(1), new Uint8Array(0))).toThrow();
    expect(() => relay.xaeadSeal(new Uint8Array(32), new Uint8Array(12), new Uint8Array(1), new Uint8Array(0))).toThrow();
  });
});
