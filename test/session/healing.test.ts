/**
 * Post-compromise security of Ekp rotations (docs/SECURITY-REVIEW.md H3,
 * issue 2: "someone holding an old key must not follow the new one").
 * Every committed rotation must heal both directions: the side that
 * acknowledges a peer's proposal draws a fresh Ekp too (carried in its
 * acknowledgement), so the epoch both sides end on mixes X25519(new A, new B).
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import type { Session } from '../../protocol/session/session.ts';
import { decodeSessionState, encodeSessionState, restoreSession } from '../../protocol/session/state-codec.ts';
import { deliver, expectOk, pair, suite, textOf } from './helpers.ts';

/** Eve's copy of a side: its whole state, and randomness of her own (she cannot predict the victim's). */
function steal(victim: Session, seed: string): Session {
  return expectOk(restoreSession(suite, encodeSessionState(victim), new SeededRandom(seed)));
}

describe('session: a rotation heals both directions', () => {
  it("Eve holding Bob's state at epoch 0 cannot read what Alice sends after Alice's rotation completes", () => {
    const { alice, bob, random } = pair('heal-peer-rotation');
    expectOk(bob.open(alice.sealText('before').envelope, 0));
    const eve = steal(bob, 'eve');
    let eveRead = 0;
    let afterCompletion = 0;
    for (let rotation = 1; rotation <= 3; rotation++) {
      expect(alice.rotateEncryptionKey(random)).toBe('proposed');
      const proposal = alice.sealText(`proposal ${rotation}`).envelope;
      // Eve still reads the proposal itself when it travels under an epoch she follows (rotation 1 only).
      const atEve = eve.open(proposal, 0);
      if (atEve.ok) {
        expect(textOf(atEve.value)).toBe(`proposal ${rotation}`);
        eveRead++;
      }
      expect(expectOk(bob.open(proposal, 0)).ackDue).toBe(true);
      const ack = bob.sealControl();
      const before = alice.epochNumber;
      expectOk(alice.open(ack.envelope, 0));
      expect(alice.epochNumber).toBeGreaterThan(before); // Alice's rotation is complete
      for (let i = 0; i < 3; i++) {
        const secret = alice.sealText(`epoch secret ${rotation}.${i}`).envelope;
        const r = eve.open(secret, 0);
        expect(r.ok ? `Eve read: ${textOf(r.value)}` : r.code).toBe('bad-mac');
        afterCompletion++;
        expect(textOf(expectOk(bob.open(secret, 0)))).toBe(`epoch secret ${rotation}.${i}`);
      }
      expectOk(alice.open(bob.sealText(`reply ${rotation}`).envelope, 0));
    }
    expect(eveRead).toBe(1); // the test can tell: Eve did hold working keys for epoch 0
    expect(afterCompletion).toBe(9);
    expect(toHex(alice.exportState().current.root)).toBe(toHex(bob.exportState().current.root));
  });

  it('simultaneous proposals: the side that yields answers with a fresh key, not its pending one', () => {
    const { alice, bob, random } = pair('heal-both');
    alice.rotateEncryptionKey(random);
    bob.rotateEncryptionKey(random);
    const fromAlice = alice.sealText('a0').envelope;
    const fromBob = bob.sealText('b0').envelope;
    // Eve copies both sides now: she knows both pending keys.
    const eveAsAlice = steal(alice, 'eve-a');
    const eveAsBob = steal(bob, 'eve-b');
    const atBob = expectOk(bob.open(fromAlice, 0));
    const atAlice = expectOk(alice.open(fromBob, 0));
    expect([atBob, atAlice].filter((m) => m.events.includes('own-rotation-deferred')).length).toBe(1);
    for (let round = 0; round < 3; round++) {
      expectOk(bob.open(alice.sealText(`a${round}`).envelope, 0));
      expectOk(alice.open(bob.sealText(`b${round}`).envelope, 0));
    }
    expect(alice.epochNumber).toBe(2);
    expect(bob.epochNumber).toBe(2);
    expect(alice.rotationPending || bob.rotationPending).toBe(false);
    const toBob = alice.sealText('after the round').envelope;
    const toAlice = bob.sealText('after the round').envelope;
    expect(textOf(expectOk(bob.open(toBob, 0)))).toBe('after the round');
    expect(textOf(expectOk(alice.open(toAlice, 0)))).toBe('after the round');
    // The winner's key was known to Eve, but the yielding side answered with a key drawn after her copy.
    const r1 = eveAsBob.open(toBob, 0);
    const r2 = eveAsAlice.open(toAlice, 0);
    expect(r1.ok ? 'read' : r1.code).toBe('bad-mac');
    expect(r2.ok ? 'read' : r2.code).toBe('bad-mac');
  });

  it('no ping-pong: the healing answer draws nothing, and later messages carry no key', () => {
    const { alice, bob, random } = pair('heal-stop');
    alice.rotateEncryptionKey(random);
    deliver(alice, bob, 'proposal');
    expect(bob.rotationPending).toBe(true); // his healing rotation
    const ack = bob.sealControl();
    expect(ack.envelope.length).toBe(27 + 32);
    const atAlice = expectOk(alice.open(ack.envelope, 0));
    expect(atAlice.events).toEqual(['epoch-committed', 'peer-encryption-proposed']);
    expect(alice.exportState().deferred).toBeUndefined(); // nothing drawn for the answer
    for (let i = 0; i < 3; i++) {
      const a = alice.sealText('plain');
      expect(a.envelope.length).toBe(27 + 5);
      expectOk(bob.open(a.envelope, 0));
      const b = bob.sealText('plain');
      expect(b.envelope.length).toBe(27 + 5);
      expectOk(alice.open(b.envelope, 0));
    }
    expect(alice.rotationPending || bob.rotationPending).toBe(false);
    expect(alice.epochNumber).toBe(2);
    expect(bob.epochNumber).toBe(2);
  });

  it("the acknowledger's pending Lkp waits for its healing rotation", () => {
    const { alice, bob, random } = pair('heal-lkp');
    bob.rotateLookupKey(random);
    alice.rotateEncryptionKey(random);
    deliver(alice, bob, 'proposal');
    const atAlice = expectOk(alice.open(bob.sealControl().envelope, 0));
    expect(atAlice.events).not.toContain('peer-lookup-changed'); // not under the epoch Eve could follow
    deliver(alice, bob, 'under the healed epoch');
    expect(expectOk(alice.open(bob.sealControl().envelope, 0)).events).toContain('peer-lookup-changed');
  });

  it('a lost healing ack is re-sent with the same key; a restart keeps it', () => {
    const { alice, bob, random } = pair('heal-lost');
    alice.rotateEncryptionKey(random);
    deliver(alice, bob, 'proposal');
    const key = bob.exportState().deferred!.publicKey.slice();
    bob.sealControl(); // lost
    expect(deliver(alice, bob, 'again').ackDue).toBe(true);
    const restored = expectOk(restoreSession(suite, encodeSessionState(bob), random));
    expect(toHex(restored.exportState().deferred!.publicKey)).toBe(toHex(key));
    expect(restored.exportState().deferredAnnounced).toBe(true);
    expectOk(alice.open(restored.sealControl().envelope, 0));
    expect(alice.exportState().next?.origin).toBe('theirs'); // Alice took the healing key
    expect(deliver(alice, restored, 'healed').events).toEqual(['epoch-committed']);
    expect(restored.epochNumber).toBe(2);
    expect(toHex(restored.exportState().myEncryption.publicKey)).toBe(toHex(key));
  });

  it('the state decoder refuses an announced healing key without a peer rotation in flight', () => {
    const { alice, bob, random } = pair('heal-codec');
    alice.rotateEncryptionKey(random);
    deliver(alice, bob, 'proposal');
    const good = encodeSessionState(bob);
    expect(decodeSessionState(suite, good).ok).toBe(true);
    // Flag byte: after u8 format, 4x32 Ckp, 64 Ekp, 32+32, u8 set-at (0 here), 64 Lkp.
    const flagsAt = 1 + 128 + 64 + 64 + 1 + 64;
    expect(good[flagsAt]).toBe(4 | 32 | 64);
    const bad = good.slice();
    bad[flagsAt] = 4 | 64; // announced, but no deferred key
    const r = decodeSessionState(suite, bad);
    expect(r.ok ? 'ok' : r.code).toBe('bad-value');
  });

  it("grace keeps both epochs the proposer leaves in one round, for the peer's late messages", () => {
    const { alice, bob, random } = pair('heal-late', { epochGraceMs: 10 * 3_600_000, epochGraceMessages: 4 });
    const lateN = bob.sealText('sent under epoch 0').envelope; // delayed in the mesh
    alice.rotateEncryptionKey(random);
    deliver(alice, bob, 'proposal');
    expectOk(alice.open(bob.sealControl().envelope, 0)); // Alice commits epoch 1
    const lateH = bob.sealText('sent under epoch 1').envelope; // delayed too
    deliver(alice, bob, 'under epoch 2'); // Bob commits epoch 2
    expect(expectOk(alice.open(bob.sealText('epoch 2').envelope, 0)).events).toEqual(['epoch-committed']);
    expect(alice.epochNumber).toBe(2);
    // The state codec keeps both grace epochs (flag 128).
    const restored = expectOk(restoreSession(suite, encodeSessionState(alice), random));
    expect([restored.exportState().previous?.epoch.number, restored.exportState().older?.epoch.number]).toEqual([1, 0]);
    expect(textOf(expectOk(restored.open(lateN, 3_600_000)))).toBe('sent under epoch 0');
    expect(textOf(expectOk(restored.open(lateH, 3_600_000)))).toBe('sent under epoch 1');
    // Both are bounded like any grace epoch: by count (and by time, next test).
    for (let i = 0; i < 4; i++) expectOk(restored.open(bob.sealText(`new ${i}`).envelope, 3_600_000));
    expect(restored.exportState().previous).toBeUndefined();
    expect(restored.exportState().older).toBeUndefined();
  });

  it('grace epochs also end with time', () => {
    const { alice, bob, random } = pair('heal-late-time', { epochGraceMs: 10 * 3_600_000 });
    const lateN = bob.sealText('old').envelope;
    alice.rotateEncryptionKey(random);
    deliver(alice, bob, 'proposal');
    expectOk(alice.open(bob.sealControl().envelope, 0));
    deliver(alice, bob, 'under epoch 2');
    expectOk(alice.open(bob.sealText('epoch 2').envelope, 0));
    const r = alice.open(lateN, 11 * 3_600_000);
    expect(r.ok ? 'ok' : r.code).toBe('bad-mac');
    expect(alice.exportState().previous).toBeUndefined();
    expect(alice.exportState().older).toBeUndefined();
  });

  it('a session without a RandomSource is refused when it is built, not when a rotation arrives', () => {
    const { alice } = pair('heal-no-random');
    const bytes = encodeSessionState(alice);
    expect(() => restoreSession(suite, bytes, undefined as unknown as SeededRandom)).toThrow(/RandomSource/);
  });
});
