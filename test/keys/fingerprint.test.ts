import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import {
  FINGERPRINT_ITERATIONS, keyFingerprint, pairFingerprint,
} from '../../protocol/keys/fingerprint.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { field, readCardVectors } from '../card/helpers.ts';

const suite = createNodeSuite();
const vectors = readCardVectors();
const alice = { signing: field(vectors.get('invite')!, 'ckp.ed25519'), agreement: field(vectors.get('invite')!, 'ckp.x25519') };
const bob = { signing: field(vectors.get('answer')!, 'ckp.ed25519'), agreement: field(vectors.get('answer')!, 'ckp.x25519') };

/** The derivation of protocol/keys/fingerprint.ts written again on node:crypto, as an oracle. */
function oracleFingerprint(key: { signing: Uint8Array; agreement: Uint8Array }): string {
  const k = Buffer.concat([key.signing, key.agreement]);
  let d = createHash('sha256').update('meow-fingerprint-v1\0').update(k).digest();
  for (let i = 1; i < 4096; i++) d = createHash('sha256').update(d).update(k).digest();
  return [0, 1, 2].map((j) => String(Number(d.readBigUInt64BE(5 * j) >> 24n) % 100000).padStart(5, '0')).join(' ');
}

describe('key fingerprint', () => {
  it('matches the documented derivation on the vector keys (4096 SHA-256 iterations)', () => {
    expect(FINGERPRINT_ITERATIONS).toBe(4096);
    expect(keyFingerprint(suite, alice)).toBe(oracleFingerprint(alice));
    expect(keyFingerprint(suite, bob)).toBe(oracleFingerprint(bob));
    // Pinned so that any change of derivation shows up here.
    expect(keyFingerprint(suite, alice)).toBe(KNOWN_ALICE);
    expect(keyFingerprint(suite, bob)).toBe(KNOWN_BOB);
  });

  it('is the same on both suites and has three groups of five digits', () => {
    expect(keyFingerprint(createPortableSuite(), alice)).toBe(keyFingerprint(suite, alice));
    expect(keyFingerprint(suite, alice)).toMatch(/^\d{5} \d{5} \d{5}$/);
  });

  it('changes when either half of the key changes', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 7 }), (byte, bit) => {
      const k = { signing: alice.signing.slice(), agreement: alice.agreement.slice() };
      (byte < 32 ? k.signing : k.agreement)[byte % 32]! ^= 1 << bit;
      expect(keyFingerprint(suite, k)).toBe(oracleFingerprint(k));
      expect(keyFingerprint(suite, k)).not.toBe(keyFingerprint(suite, alice));
    }), { numRuns: 15 });
  });

  it('refuses keys of the wrong length (programmer misuse)', () => {
    expect(() => keyFingerprint(suite, { signing: new Uint8Array(31), agreement: alice.agreement })).toThrow(expect.objectContaining({ name: 'KeyError', code: 'bad-key-length' }));
  });
});

describe('pair fingerprint', () => {
  it('reads the same from both sides: both halves, smaller first', () => {
    const ab = pairFingerprint(suite, alice, bob);
    expect(ab).toBe(pairFingerprint(suite, bob, alice));
    expect(ab).toMatch(/^(\d{5} ){5}\d{5}$/);
    const halves = [oracleFingerprint(alice), oracleFingerprint(bob)].sort();
    expect(ab).toBe(`${halves[0]} ${halves[1]}`);
  });

  it('differs when a man in the middle swaps one key', () => {
    const mallory = { signing: bob.agreement, agreement: alice.agreement };
    expect(pairFingerprint(suite, alice, mallory)).not.toBe(pairFingerprint(suite, alice, bob));
  });
});

const KNOWN_ALICE = '27280 88400 41230';
const KNOWN_BOB = '63493 44467 61727';
