import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { isAcceptableEd25519PublicKey, isAcceptableX25519PublicKey } from '../../protocol/keys/validate.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { vectorPath } from '../card/helpers.ts';

interface KeyVector {
  readonly kind: string;
  readonly key: Uint8Array;
  readonly note: string;
}

const vectors: KeyVector[] = readFileSync(vectorPath('card-low-order-keys.txt'), 'utf8').split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => {
    const [kind, hex] = l.replace(/#.*$/, '').trim().split(/\s+/);
    return { kind: kind!, key: fromHex(hex!)!, note: l.split('#')[1]?.trim() ?? '' };
  });
const suites = [createPortableSuite(), createNodeSuite()];

describe('X25519 public key check', () => {
  const lowOrder = vectors.filter((v) => v.kind === 'x25519');
  it('has the vector file it needs', () => expect(lowOrder.length).toBe(9));

  for (const v of lowOrder) {
    it(`refuses ${v.note}`, () => {
      const rnd = new SeededRandom(v.note);
      for (const suite of suites) {
        // Independent claim: with any scalar the shared secret is zero (low order), or the key is non-canonical.
        const canonical = (v.key[31]! & 0x80) === 0 && !v.note.includes('non-canonical');
        if (canonical) expect(createPortableSuite().x25519(rnd.bytes(32), v.key)).toBeUndefined();
        expect(isAcceptableX25519PublicKey(suite, v.key)).toBe(false);
      }
    });
  }

  it('accepts every honest public key', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (secret) => {
      for (const suite of suites) expect(isAcceptableX25519PublicKey(suite, suite.x25519PublicKey(secret))).toBe(true);
    }), { numRuns: 50 });
  });

  it('refuses wrong lengths and u >= p', () => {
    const suite = suites[0]!;
    expect(isAcceptableX25519PublicKey(suite, new Uint8Array(31).fill(9))).toBe(false);
    const pPlus2 = fromHex('efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')!;
    expect(isAcceptableX25519PublicKey(suite, pPlus2)).toBe(false);
  });
});

describe('Ed25519 public key check', () => {
  const smallOrder = vectors.filter((v) => v.kind === 'ed25519');
  const invalid = vectors.filter((v) => v.kind === 'ed25519-invalid');
  it('has the vector file it needs', () => {
    expect(smallOrder.length).toBe(8);
    expect(invalid.length).toBe(3);
  });

  for (const v of smallOrder) {
    it(`refuses the small-order point ${v.note} ${v.key[0]!.toString(16)}`, () => {
      // Independent claim: 8 * P is the identity.
      const p = ed25519.Point.fromBytes(v.key);
      expect(p.multiplyUnsafe(8n).equals(ed25519.Point.ZERO)).toBe(true);
      expect(isAcceptableEd25519PublicKey(v.key)).toBe(false);
    });
  }

  for (const v of invalid) {
    it(`refuses the undecodable ${v.note}`, () => {
      expect(() => ed25519.Point.fromBytes(v.key)).toThrow();
      expect(isAcceptableEd25519PublicKey(v.key)).toBe(false);
    });
  }

  it('accepts every honest public key and refuses wrong lengths', () => {
    const suite = suites[1]!;
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
      expect(isAcceptableEd25519PublicKey(suite.ed25519PublicKey(seed))).toBe(true);
    }), { numRuns: 100 });
    expect(isAcceptableEd25519PublicKey(new Uint8Array(33))).toBe(false);
  });
});
