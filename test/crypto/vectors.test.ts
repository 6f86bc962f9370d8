import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { suites } from './suites.ts';
import { hex, loadVectors } from './vectors.ts';

interface X25519File {
  scalarMult: { name: string; scalar: string; u: string; output: string }[];
  iterated: { name: string; iterations: number; output: string }[];
  diffieHellman: { alicePrivate: string; alicePublic: string; bobPrivate: string; bobPublic: string; shared: string };
}
interface LowOrderFile { points: { name: string; u: string }[] }
interface Ed25519File { vectors: { name: string; secret: string; public: string; message: string; signature: string }[] }
interface AeadFile { vectors: { name: string; key: string; nonce: string; aad: string; plaintextUtf8: string; ciphertext: string; tag: string }[] }
interface HkdfFile { vectors: { name: string; ikm: string; salt: string; info: string; length: number; prk: string; okm: string }[] }
interface HashFile {
  sha256: { name: string; messageUtf8: string; digest: string }[];
  hmacSha256: { name: string; key: string; dataUtf8: string; mac: string }[];
}

const x25519 = loadVectors<X25519File>('x25519-rfc7748.json');
const lowOrder = loadVectors<LowOrderFile>('x25519-low-order.json');
const ed25519 = loadVectors<Ed25519File>('ed25519-rfc8032.json');
const chacha = loadVectors<AeadFile>('chacha20poly1305-rfc8439.json');
const xchacha = loadVectors<AeadFile>('xchacha20poly1305-draft.json');
const hkdf = loadVectors<HkdfFile>('hkdf-rfc5869.json');
const hashes = loadVectors<HashFile>('sha256-hmac.json');

for (const suite of suites) {
  describe(`crypto suite "${suite.name}" against published vectors`, () => {
    for (const v of x25519.scalarMult) {
      it(`X25519 RFC 7748 ${v.name}`, () => {
        expect(toHex(suite.x25519(hex(v.scalar), hex(v.u))!)).toBe(v.output);
      });
    }

    it('X25519 RFC 7748 5.2 iterated (1 and 1,000)', () => {
      // k = u = 9; then repeatedly (k, u) = (X25519(k, u), k).
      let k: Uint8Array = new Uint8Array(32);
      k[0] = 9;
      let u: Uint8Array = k.slice();
      const expected = new Map(x25519.iterated.map((v) => [v.iterations, v.output]));
      for (let i = 1; i <= 1000; i++) {
        const next = suite.x25519(k, u)!;
        u = k;
        k = next;
        if (expected.has(i)) expect(toHex(k), `after ${i}`).toBe(expected.get(i));
      }
    });

    it('X25519 RFC 7748 6.1 Diffie-Hellman', () => {
      const d = x25519.diffieHellman;
      expect(toHex(suite.x25519PublicKey(hex(d.alicePrivate)))).toBe(d.alicePublic);
      expect(toHex(suite.x25519PublicKey(hex(d.bobPrivate)))).toBe(d.bobPublic);
      expect(toHex(suite.x25519(hex(d.alicePrivate), hex(d.bobPublic))!)).toBe(d.shared);
      expect(toHex(suite.x25519(hex(d.bobPrivate), hex(d.alicePublic))!)).toBe(d.shared);
    });

    for (const p of lowOrder.points) {
      it(`X25519 refuses the low-order point ${p.name}`, () => {
        expect(suite.x25519(hex(x25519.diffieHellman.alicePrivate), hex(p.u))).toBeUndefined();
      });
    }

    for (const v of ed25519.vectors) {
      it(`Ed25519 RFC 8032 ${v.name}`, () => {
        const secret = hex(v.secret);
        const message = hex(v.message);
        expect(toHex(suite.ed25519PublicKey(secret))).toBe(v.public);
        expect(toHex(suite.ed25519Sign(secret, message))).toBe(v.signature);
        expect(suite.ed25519Verify(hex(v.public), message, hex(v.signature))).toBe(true);
        const forged = hex(v.signature);
        forged[5]! ^= 1;
        expect(suite.ed25519Verify(hex(v.public), message, forged)).toBe(false);
        expect(suite.ed25519Verify(hex(v.public), concatBytes(message, new Uint8Array([0])), hex(v.signature))).toBe(false);
      });
    }

    for (const [label, file, seal, open] of [
      ['ChaCha20-Poly1305 RFC 8439', chacha, suite.aeadSeal, suite.aeadOpen],
      ['XChaCha20-Poly1305 draft-irtf-cfrg-xchacha-03', xchacha, suite.xaeadSeal, suite.xaeadOpen],
    ] as const) {
      for (const v of file.vectors) {
        it(`${label} ${v.name}`, () => {
          const plaintext = utf8(v.plaintextUtf8);
          const sealed = seal(hex(v.key), hex(v.nonce), plaintext, hex(v.aad));
          expect(toHex(sealed)).toBe(v.ciphertext + v.tag);
          expect(open(hex(v.key), hex(v.nonce), sealed, hex(v.aad))).toEqual(plaintext);
          for (const at of [0, sealed.length - 1]) {
            const tampered = sealed.slice();
            tampered[at]! ^= 0x80;
            expect(open(hex(v.key), hex(v.nonce), tampered, hex(v.aad)), `flip byte ${at}`).toBeUndefined();
          }
          expect(open(hex(v.key), hex(v.nonce), sealed, new Uint8Array(0))).toBeUndefined();
        });
      }
    }

    for (const v of hkdf.vectors) {
      it(`HKDF-SHA-256 RFC 5869 ${v.name}`, () => {
        expect(toHex(suite.hkdf(hex(v.ikm), hex(v.salt), hex(v.info), v.length))).toBe(v.okm);
        // PRK = HMAC(salt, IKM) (RFC 5869 section 2.2; an empty salt is HashLen zeros).
        const salt = v.salt === '' ? new Uint8Array(32) : hex(v.salt);
        expect(toHex(suite.hmacSha256(salt, hex(v.ikm)))).toBe(v.prk);
      });
    }

    for (const v of hashes.sha256) {
      it(`SHA-256 ${v.name}`, () => {
        expect(toHex(suite.sha256(utf8(v.messageUtf8)))).toBe(v.digest);
      });
    }
    for (const v of hashes.hmacSha256) {
      it(`HMAC-SHA-256 ${v.name}`, () => {
        expect(toHex(suite.hmacSha256(hex(v.key), utf8(v.dataUtf8)))).toBe(v.mac);
      });
    }
  });
}
