/** The relay's faster X25519 import path gives the same answers as the portable suite, low-order keys included. */
import { describe, expect, it } from 'vitest';
import { createPortableSuite } from '../../../protocol/crypto/portable.ts';
import { fromHex } from '../../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../../node-runtime/crypto/node-suite.ts';
import { createRelaySuite } from '../../../gateway/server/crypto/relay-suite.ts';

// Low-order points on Curve25519 and their non-canonical twins (RFC 7748 section 6.1; the list used by libsodium and Wycheproof).
const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

describe('relay crypto suite', () => {
  const portable = createPortableSuite();
  const relay = createRelaySuite(createNodeSuite());

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
    for (const hex of LOW_ORDER) {
      const pub = fromHex(hex)!;
      expect(portable.x25519(secret, pub), hex).toBeUndefined();
      expect(relay.x25519(secret, pub), hex).toBeUndefined();
    }
    expect(relay.x25519(secret, new Uint8Array(31))).toBeUndefined();
    expect(() => relay.x25519(new Uint8Array(5), new Uint8Array(32))).toThrow(TypeError);
  });
});
