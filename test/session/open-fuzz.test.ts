/**
 * session.open() under 100,000 hostile inputs: random bytes and mutations
 * of valid envelopes, against a session with all three receive epochs live
 * (current, next, previous) and a draining mailbox, so every trial path runs.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { FuzzRandom, mutate, randomInput } from '../envelope/fuzz-helpers.ts';
import { deliver, expectOk, pair, textOf } from './helpers.ts';

describe('session.open fuzz', () => {
  it('100,000 random and mutated envelopes: never throws, accepts only untouched originals, once each', () => {
    const { alice, bob, random } = pair('open-fuzz');
    // Epoch 2 (Alice's key, then Bob's healing key) committed at Bob with epoch 0 in grace;
    // Bob's next (theirs) and the chained epoch of his new healing key live; Lkp draining.
    bob.rotateLookupKey(random);
    alice.rotateEncryptionKey(random);
    const valid: Uint8Array[] = [alice.sealText('old epoch').envelope];
    deliver(alice, bob, 'proposal');
    expectOk(alice.open(bob.sealControl().envelope, 0));
    deliver(alice, bob, 'commit');
    expectOk(alice.open(bob.sealControl().envelope, 0)); // Alice commits epoch 2 too
    valid.push(alice.sealText('current epoch').envelope);
    alice.rotateEncryptionKey(random);
    deliver(alice, bob, 'second proposal');
    const s = bob.exportState();
    expect(s.previous && s.next && s.deferredAnnounced && s.mailboxes.previous).toBeTruthy();
    valid.push(alice.sealText('x'.repeat(200)).envelope, alice.seal({ type: 'data', bytes: new Uint8Array(40) }).envelope);
    const originals = new Set(valid.map(toHex));

    const rnd = new FuzzRandom('open-fuzz');
    const acceptedInputs: string[] = [];
    const codes = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      const input = i % 2 === 0 ? randomInput(rnd, 300) : mutate(rnd, valid[rnd.int(valid.length)]!);
      // Random inputs mostly die at byte 0; give a quarter of them the direct kind byte and a real tag.
      if (i % 4 === 0 && input.length > 7) {
        input[0] = 0x11;
        input.set(bob.mailboxes(0)[0]!.tag, 1);
      }
      const r = bob.open(input, 0);
      if (r.ok) acceptedInputs.push(toHex(input));
      else codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    }
    for (const a of acceptedInputs) expect(originals.has(a)).toBe(true);
    expect(new Set(acceptedInputs).size).toBe(acceptedInputs.length);
    expect(codes.get('bad-mac')).toBeGreaterThan(1000); // the AEAD path really ran
    // The session still works after the storm.
    expect(textOf(expectOk(bob.open(alice.sealText('still fine').envelope, 0)))).toBe('still fine');
  });
});
