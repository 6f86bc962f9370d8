/**
 * The session gives the same bytes whichever CryptoSuite runs it: a side on
 * the portable suite (browser, any runtime) talks to a side on the node:crypto
 * suite (node-runtime/crypto/node-suite.ts) through rotations and a restore.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { generateSideKeys, setupFor } from '../../protocol/session/pair.ts';
import { Session } from '../../protocol/session/session.ts';
import { encodeSessionState, restoreSession } from '../../protocol/session/state-codec.ts';
import { expectOk, suite as portable, textOf } from './helpers.ts';

describe('session across crypto suites', () => {
  it('portable and node:crypto suites interoperate and produce identical envelopes', () => {
    const node = createNodeSuite({ nativeAeadMinBytes: 0 }); // force native AEAD for every size
    const random = new SeededRandom('suites');
    const a = generateSideKeys(portable, random);
    const b = generateSideKeys(portable, random);
    const alice = Session.create(portable, setupFor(a, b), new SeededRandom('healing-keys'));
    const aliceTwin = Session.create(node, setupFor(a, b), new SeededRandom('healing-keys'));
    let bob = Session.create(node, setupFor(b, a), new SeededRandom('healing-keys'));
    for (const text of ['hello', 'x'.repeat(200)]) {
      const env = alice.sealText(text).envelope;
      expect(toHex(aliceTwin.sealText(text).envelope)).toBe(toHex(env));
      expect(textOf(expectOk(bob.open(env, 0)))).toBe(text);
    }
    alice.rotateEncryptionKey(random);
    alice.rotateLookupKey(random);
    expectOk(bob.open(alice.sealText('rotate').envelope, 0));
    bob = expectOk(restoreSession(node, encodeSessionState(bob), new SeededRandom('healing-keys')));
    expectOk(alice.open(bob.sealControl().envelope, 0));
    expectOk(bob.open(alice.sealText('committed').envelope, 0));
    expect(textOf(expectOk(alice.open(bob.sealText('back').envelope, 0)))).toBe('back');
    // One rotation round: Alice's key, then Bob's healing key carried in his ack.
    expect(alice.epochNumber).toBe(2);
    expect(bob.epochNumber).toBe(2);
    expect(toHex(alice.exportState().current.root)).toBe(toHex(bob.exportState().current.root));
  });
});
