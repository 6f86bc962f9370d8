import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { encodeSessionState, restoreSession } from '../../protocol/session/state-codec.ts';
import { deliver, expectOk, pair, suite, textOf } from './helpers.ts';

const HOUR_MS = 3_600_000;

function rootsEqual(a: { exportState(): { current: { root: Uint8Array } } }, b: typeof a): boolean {
  return toHex(a.exportState().current.root) === toHex(b.exportState().current.root);
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return toHex(haystack).includes(toHex(needle));
}

describe('session: Ekp rotation', () => {
  it('the new key rides with messages and is used only once acknowledged', () => {
    const { alice, bob, random } = pair('ekp-basic');
    expect(alice.rotateEncryptionKey(random)).toBe('proposed');
    expect(alice.rotateEncryptionKey(random)).toBe('already-pending');
    const newKey = alice.exportState().next!.origin === 'mine' ? (alice.exportState().next as { pair: { publicKey: Uint8Array } }).pair.publicKey : undefined;
    const m = alice.sealText('with key');
    expect(m.id.epoch).toBe(0); // not used before the ack
    expect(m.envelope.length).toBe(27 + 'with key'.length + 32); // overhead + text + key
    expect(containsBytes(m.envelope, newKey!)).toBe(false); // the key travels encrypted
    const got = deliver(alice, bob, 'again');
    expect(got.ackDue).toBe(true);
    expect(got.events).toContain('peer-encryption-proposed');
    const ack = bob.sealControl();
    expect(ack.id.epoch).toBe(1); // Bob acknowledges by sending under the new epoch
    expect(ack.envelope.length).toBe(27 + 32); // ... carrying his own fresh Ekp (healing, H3)
    const atAlice = expectOk(alice.open(ack.envelope, 0));
    expect(atAlice.events).toEqual(['epoch-committed', 'peer-encryption-proposed']);
    expect(alice.epochNumber).toBe(1);
    const next = alice.sealText('new epoch');
    // Alice sends at once under the epoch that mixes both fresh keys.
    expect(next.id).toEqual({ epoch: 2, counter: 0 });
    expect(next.envelope.length).toBe(27 + 'new epoch'.length); // no key attached any more
    const atBob = expectOk(bob.open(next.envelope, 0));
    expect(atBob.events).toEqual(['epoch-committed']);
    expect(bob.epochNumber).toBe(2);
    expect(bob.rotationPending).toBe(false);
    expect(expectOk(alice.open(bob.sealText('done').envelope, 0)).events).toEqual(['epoch-committed']);
    expect(alice.epochNumber).toBe(2);
    expect(alice.rotationPending).toBe(false);
    expect(rootsEqual(alice, bob)).toBe(true);
    expect(toHex(bob.exportState().theirEncryption)).toBe(toHex(newKey!));
  });

  it('lost ack: the old epoch keeps working, the key is re-sent and re-acknowledged', () => {
    const { alice, bob, random } = pair('ekp-lost-ack');
    alice.rotateEncryptionKey(random);
    expect(deliver(alice, bob, 'one').ackDue).toBe(true);
    bob.sealText('ack that is lost'); // dropped on the air
    // Alice has not seen an ack: she keeps sending under epoch 0 and Bob still reads it.
    const two = deliver(alice, bob, 'two');
    expect(two.id.epoch).toBe(0);
    expect(two.ackDue).toBe(true); // re-ack
    expectOk(alice.open(bob.sealText('second ack').envelope, 0));
    expect(alice.epochNumber).toBe(1);
    expect(deliver(alice, bob, 'three').id.epoch).toBe(2); // the epoch of Bob's healing key, carried by the acks
  });

  it('grace window: late messages of the previous epoch open until the time or count bound, then the keys are wiped', () => {
    const { alice, bob, random } = pair('ekp-grace', { epochGraceMs: 10 * HOUR_MS, epochGraceMessages: 3 });
    alice.rotateEncryptionKey(random);
    const lateA = alice.sealText('late a').envelope;
    const lateB = alice.sealText('late b').envelope;
    const lateC = alice.sealText('late c').envelope;
    deliver(alice, bob, 'proposal', 0);
    expectOk(alice.open(bob.sealControl().envelope, 0));
    deliver(alice, bob, 'commit', 0); // Bob commits epoch 1; epoch 0 enters grace
    expect(bob.exportState().previous?.epoch.number).toBe(0);
    expect(textOf(expectOk(bob.open(lateA, HOUR_MS)))).toBe('late a');
    // Time bound: past 10 h the old epoch is gone.
    const old = bob.open(lateB, 11 * HOUR_MS);
    expect(old.ok ? 'ok' : old.code).toBe('bad-mac');
    expect(bob.exportState().previous).toBeUndefined();
    // Count bound on a fresh pair.
    const p2 = pair('ekp-grace-count', { epochGraceMs: 10 * HOUR_MS, epochGraceMessages: 3 });
    p2.alice.rotateEncryptionKey(p2.random);
    const late = p2.alice.sealText('late').envelope;
    deliver(p2.alice, p2.bob, 'proposal');
    expectOk(p2.alice.open(p2.bob.sealControl().envelope, 0));
    deliver(p2.alice, p2.bob, 'commit');
    const previousKeys = p2.bob.exportState().previous!.epoch.keys;
    for (let i = 0; i < 3; i++) deliver(p2.alice, p2.bob, `new ${i}`);
    expect(p2.bob.exportState().previous).toBeUndefined();
    expect(p2.bob.open(late, 0).ok).toBe(false);
    expect(Array.from(previousKeys.receiveKey).every((b) => b === 0)).toBe(true); // wiped
    void lateC;
  });

  it('simultaneous rotation: the lower key goes first, the other follows, both converge', () => {
    const { alice, bob, random } = pair('ekp-both');
    expect(alice.rotateEncryptionKey(random)).toBe('proposed');
    expect(bob.rotateEncryptionKey(random)).toBe('proposed');
    const fromAlice = alice.sealText('a0').envelope;
    const fromBob = bob.sealText('b0').envelope;
    const atBob = expectOk(bob.open(fromAlice, 0));
    const atAlice = expectOk(alice.open(fromBob, 0));
    // Exactly one side yields.
    const yielded = [atBob, atAlice].filter((m) => m.events.includes('own-rotation-deferred'));
    expect(yielded.length).toBe(1);
    for (let round = 0; round < 6; round++) {
      expectOk(bob.open(alice.sealText(`a${round}`).envelope, 0));
      expectOk(alice.open(bob.sealText(`b${round}`).envelope, 0));
    }
    expect(alice.epochNumber).toBe(2);
    expect(bob.epochNumber).toBe(2);
    expect(alice.rotationPending || bob.rotationPending).toBe(false);
    expect(rootsEqual(alice, bob)).toBe(true);
    expect(toHex(alice.exportState().theirEncryption)).toBe(toHex(bob.exportState().myEncryption.publicKey));
    expect(toHex(bob.exportState().theirEncryption)).toBe(toHex(alice.exportState().myEncryption.publicKey));
  });

  it('someone holding the old keys cannot follow the new epoch', () => {
    const { alice, bob, random } = pair('ekp-old-key');
    deliver(alice, bob, 'before');
    // Eve steals Bob's whole state before Bob rotates.
    const eve = expectOk(restoreSession(suite, encodeSessionState(bob), random));
    bob.rotateEncryptionKey(random);
    const proposal = bob.sealText('new key inside').envelope;
    expectOk(alice.open(proposal, 0));
    const ack = alice.sealText('ack under the new epoch').envelope;
    expectOk(bob.open(ack, 0));
    const later = alice.sealText('secret after rotation').envelope;
    expectOk(bob.open(later, 0));
    // Eve still reads what was sent under the old epoch, not what follows.
    const r1 = eve.open(ack, 0);
    const r2 = eve.open(later, 0);
    expect(r1.ok ? 'ok' : r1.code).toBe('bad-mac');
    expect(r2.ok ? 'ok' : r2.code).toBe('bad-mac');
  });

  it('survives a save and restore in the middle of a rotation', () => {
    const { alice, bob, random } = pair('ekp-restore');
    alice.rotateEncryptionKey(random);
    deliver(alice, bob, 'proposal');
    const bob2 = expectOk(restoreSession(suite, encodeSessionState(bob), random));
    const alice2 = expectOk(restoreSession(suite, encodeSessionState(alice), random));
    expectOk(alice2.open(bob2.sealControl().envelope, 0));
    expect(deliver(alice2, bob2, 'after restore').id.epoch).toBe(2);
    expectOk(alice2.open(bob2.sealControl().envelope, 0));
    expect(rootsEqual(alice2, bob2)).toBe(true);
  });
});

describe('session: Lkp rotation and mailboxes', () => {
  it('moves to a new mailbox once acknowledged, drains the old one, then drops it', () => {
    const { alice, bob, random } = pair('lkp-basic', { lookupDrainMs: 5 * HOUR_MS });
    const oldTag = alice.mailboxes(0)[0]!.tag;
    expect(alice.rotateLookupKey(random)).toBe('proposed');
    expect(alice.rotateLookupKey(random)).toBe('already-pending');
    const boxes = alice.mailboxes(0);
    expect(boxes.map((b) => b.state)).toEqual(['current', 'pending']);
    const newTag = boxes[1]!.tag;
    expect(toHex(newTag)).not.toBe(toHex(oldTag));
    const inFlight = bob.sealText('sent to the old mailbox').envelope;
    const proposal = alice.sealText('my new mailbox');
    expect(containsBytes(proposal.envelope, boxes[1]!.lookup.publicKey)).toBe(false);
    expect(containsBytes(proposal.envelope, newTag)).toBe(false);
    const atBob = expectOk(bob.open(proposal.envelope, 0));
    expect(atBob.events).toContain('peer-lookup-changed');
    expect(atBob.ackDue).toBe(true);
    expect(toHex(bob.peerMailboxTag)).toBe(toHex(newTag));
    const reply = bob.sealText('to your new mailbox').envelope;
    expect(toHex(reply.subarray(1, 7))).toBe(toHex(newTag));
    const atAlice = expectOk(alice.open(reply, HOUR_MS));
    expect(atAlice.events).toEqual(['own-lookup-committed']);
    expect(alice.mailboxes(HOUR_MS).map((b) => [b.state, toHex(b.tag)])).toEqual([
      ['current', toHex(newTag)], ['draining', toHex(oldTag)],
    ]);
    expect(alice.rotationPending).toBe(false);
    expect(textOf(expectOk(alice.open(inFlight, 2 * HOUR_MS)))).toBe('sent to the old mailbox');
    // After the drain period the old mailbox is dropped and its envelopes refused.
    expect(alice.mailboxes(7 * HOUR_MS).map((b) => b.state)).toEqual(['current']);
    const late = bob.sealText('x').envelope.slice();
    late.set(oldTag, 1);
    const r = alice.open(late, 7 * HOUR_MS);
    expect(r.ok ? 'ok' : r.code).toBe('unknown-mailbox');
  });

  it('an older rotation delivered late does not undo a newer one', () => {
    const { alice, bob, random } = pair('lkp-reorder');
    alice.rotateLookupKey(random);
    const carriesL1 = alice.sealText('m1').envelope;
    deliver(alice, bob, 'm2');
    expectOk(alice.open(bob.sealControl().envelope, 0)); // L1 committed at Alice
    alice.rotateLookupKey(random);
    const l2 = alice.mailboxes(0).find((b) => b.state === 'pending')!.tag;
    deliver(alice, bob, 'm3');
    expect(toHex(bob.peerMailboxTag)).toBe(toHex(l2));
    expectOk(bob.open(carriesL1, 0)); // reordered: still authentic and fresh
    expect(toHex(bob.peerMailboxTag)).toBe(toHex(l2));
  });

  it('mailbox tags of successive Lkps look independent', () => {
    const { alice, random } = pair('lkp-unlinkable');
    let distanceSum = 0;
    let previous = alice.mailboxes(0)[0]!.tag;
    const seen = new Set<string>([toHex(previous)]);
    const rounds = 200;
    for (let i = 0; i < rounds; i++) {
      alice.exportState().mailboxes.pending = undefined;
      alice.rotateLookupKey(random);
      const tag = alice.mailboxes(0).find((b) => b.state === 'pending')!.tag;
      let d = 0;
      for (let j = 0; j < tag.length; j++) {
        let x = (tag[j] as number) ^ (previous[j] as number);
        while (x) { d += x & 1; x >>= 1; }
      }
      distanceSum += d;
      seen.add(toHex(tag));
      previous = tag;
    }
    expect(seen.size).toBe(rounds + 1);
    // Independent 48-bit strings differ in 24 bits on average.
    expect(distanceSum / rounds).toBeGreaterThan(21);
    expect(distanceSum / rounds).toBeLessThan(27);
  });
});

describe('session: rotating both keys after a compromise', () => {
  it('the new Lkp waits for my Ekp rotation, so a thief of my old state never sees it', async () => {
    const { counterMask, messageNonce } = await import('../../protocol/session/key-schedule.ts');
    const { decodeDirectEnvelope, directHeader } = await import('../../protocol/envelope/direct.ts');
    const { alice, bob, random } = pair('both-keys');
    deliver(alice, bob, 'before');
    // Eve copies Alice's whole state, then Alice rotates both keys.
    const stolen = expectOk(restoreSession(suite, encodeSessionState(alice), random)).exportState().current.keys;
    alice.rotateEncryptionKey(random);
    alice.rotateLookupKey(random);
    const newLookup = alice.mailboxes(0).find((m) => m.state === 'pending')!.lookup.publicKey;
    const sent: Uint8Array[] = [];
    const send = (text: string) => {
      const e = alice.sealText(text).envelope;
      sent.push(e);
      return expectOk(bob.open(e, 0));
    };
    expect(send('ekp only').events).toEqual(['peer-encryption-proposed']); // no Lkp yet
    expectOk(alice.open(bob.sealControl().envelope, 0)); // Ekp committed at Alice
    expect(send('now the lkp').events).toContain('peer-lookup-changed');
    expectOk(alice.open(bob.sealControl().envelope, 0));
    expect(alice.rotationPending).toBe(false);
    // Eve decrypts whatever her stolen send key opens: never the new lookup key.
    let opened = 0;
    for (const e of sent) {
      const d = decodeDirectEnvelope(e);
      if (!d.ok) throw new Error(d.message);
      const counter = d.value.maskedCounter ^ counterMask(suite, stolen.headerSendKey, d.value.sealed);
      const plain = suite.aeadOpen(stolen.sendKey, messageNonce(counter), d.value.sealed, directHeader(d.value.mailboxTag, counter));
      if (!plain) continue;
      opened++;
      expect(containsBytes(plain, newLookup)).toBe(false);
    }
    expect(opened).toBe(1); // the first message, under the old epoch
  });
});

describe('session: acknowledgements across a rotation', () => {
  it('an ack sent under the new epoch names a message of the old one', () => {
    const { alice, bob, random } = pair('ack-across');
    const early = alice.sealText('before the rotation');
    const atBob = expectOk(bob.open(early.envelope, 0));
    alice.rotateEncryptionKey(random);
    deliver(alice, bob, 'proposal');
    const ack = bob.sealControl([atBob.id]); // under epoch 1
    expect(ack.id.epoch).toBe(1);
    const atAlice = expectOk(alice.open(ack.envelope, 0));
    expect(atAlice.acks).toEqual([early.id]);
    expect(early.id.epoch).toBe(0);
  });
});
