import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { DIRECT_OVERHEAD_BYTES } from '../../protocol/envelope/direct.ts';
import { generateSideKeys, setupFor } from '../../protocol/session/pair.ts';
import { Session } from '../../protocol/session/session.ts';
import { SessionError } from '../../protocol/session/errors.ts';
import { mailboxTag } from '../../protocol/session/key-schedule.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { deliver, expectOk, pair, suite, textOf } from './helpers.ts';

/** Mesh frame header budget (DESIGN.md section 4): at most 8 of the 40 bytes. */
const MESH_HEADER_BYTES = 8;

describe('session: seal and open', () => {
  it('delivers texts both ways with ids per direction', () => {
    const { alice, bob } = pair('basic');
    const a = deliver(alice, bob, 'hello');
    expect(textOf(a)).toBe('hello');
    expect(a.id).toEqual({ epoch: 0, counter: 0 });
    const b = deliver(bob, alice, 'hi alice');
    expect(textOf(b)).toBe('hi alice');
    expect(b.id).toEqual({ epoch: 0, counter: 0 });
    expect(deliver(alice, bob, 'second').id).toEqual({ epoch: 0, counter: 1 });
  });

  it('carries data bodies, empty texts and acknowledgements', () => {
    const { alice, bob } = pair('bodies');
    const sent = alice.seal({ type: 'data', bytes: new Uint8Array([1, 2, 3]) });
    const got = expectOk(bob.open(sent.envelope, 0));
    expect(got.body).toEqual({ type: 'data', bytes: new Uint8Array([1, 2, 3]) });
    expect(textOf(deliver(alice, bob, ''))).toBe('');
    const ack = expectOk(alice.open(bob.sealControl([got.id]).envelope, 0));
    expect(ack.body).toEqual({ type: 'none' });
    expect(ack.acks).toEqual([sent.id]);
  });

  it('addresses envelopes to the peer mailbox tag derived from its Lkp', () => {
    const { alice, bob, bobKeys } = pair('tag');
    const env = alice.sealText('x').envelope;
    expect(toHex(env.subarray(1, 7))).toBe(toHex(mailboxTag(suite, bobKeys.lookup.publicKey)));
    expect(toHex(alice.peerMailboxTag)).toBe(toHex(bob.mailboxes(0)[0]!.tag));
  });

  it('masks the counter on the wire: listeners see no sequence and no reset', async () => {
    const { decodeDirectEnvelope } = await import('../../protocol/envelope/direct.ts');
    const { alice } = pair('masked');
    const masked = Array.from({ length: 256 }, () => {
      const d = decodeDirectEnvelope(alice.sealText('x').envelope);
      if (!d.ok) throw new Error(d.message);
      return d.value.maskedCounter;
    });
    const inClear = masked.filter((m, i) => m === i).length;
    const sequential = masked.filter((m, i) => i > 0 && m === masked[i - 1]! + 1).length;
    expect(inClear).toBeLessThanOrEqual(1);
    expect(sequential).toBeLessThanOrEqual(1);
    expect(new Set(masked).size).toBeGreaterThan(250);
  });

  it('meets the budgets: 5-byte text <= 32 bytes (<= 40 on air), 200 bytes of text in a 240-byte frame', () => {
    const { alice } = pair('budget');
    const five = alice.sealText('hello').envelope;
    expect(five.length).toBe(32);
    expect(five.length + MESH_HEADER_BYTES).toBeLessThanOrEqual(40);
    const twoHundred = alice.sealText('x'.repeat(200)).envelope;
    expect(twoHundred.length).toBe(227);
    expect(twoHundred.length + MESH_HEADER_BYTES).toBeLessThanOrEqual(240);
    expect(DIRECT_OVERHEAD_BYTES).toBe(27);
    expect(240 - MESH_HEADER_BYTES - DIRECT_OVERHEAD_BYTES).toBeGreaterThanOrEqual(200);
  });

  it('refuses every single-byte tamper and every bit flip of a sealed text, without changing state', () => {
    const { alice, bob } = pair('tamper');
    const env = alice.sealText('hello').envelope;
    for (let i = 0; i < env.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const t = env.slice();
        t[i] = (t[i] as number) ^ (1 << bit);
        const r = bob.open(t, 0);
        expect(r.ok, `byte ${i} bit ${bit}`).toBe(false);
      }
    }
    expect(textOf(expectOk(bob.open(env, 0)))).toBe('hello');
  });

  it('refuses truncations and extensions', () => {
    const { alice, bob } = pair('truncate');
    const env = alice.sealText('hello').envelope;
    for (let n = 0; n < env.length; n++) expect(bob.open(env.subarray(0, n), 0).ok).toBe(false);
    const longer = new Uint8Array(env.length + 1);
    longer.set(env);
    expect(bob.open(longer, 0).ok).toBe(false);
  });

  it('refuses replays, including after reordering', () => {
    const { alice, bob } = pair('replay');
    const m0 = alice.sealText('a').envelope;
    const m1 = alice.sealText('b').envelope;
    expectOk(bob.open(m1, 0));
    expectOk(bob.open(m0, 0));
    for (const m of [m0, m1]) {
      const r = bob.open(m, 0);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe('replay');
    }
  });

  it('accepts reordering within the window, tolerates loss, refuses counters older than the window', () => {
    const { alice, bob } = pair('reorder');
    const sent = Array.from({ length: 300 }, (_, i) => alice.sealText(`m${i}`).envelope);
    // Deliver 0..99 in reverse order, lose 100..199, then 200..299 shuffled.
    for (let i = 99; i >= 0; i--) expect(textOf(expectOk(bob.open(sent[i]!, 0)))).toBe(`m${i}`);
    const late = sent.slice(200);
    const rnd = new SeededRandom('shuffle');
    for (let i = late.length - 1; i > 0; i--) {
      const j = rnd.int(i + 1);
      [late[i], late[j]] = [late[j]!, late[i]!];
    }
    for (const m of late) expectOk(bob.open(m, 0));
    // 100 is now 199 behind the highest (299): older than the 128-counter window.
    const old = bob.open(sent[100]!, 0);
    expect(old.ok).toBe(false);
    if (!old.ok) expect(old.code).toBe('replay');
    // 180 is within the window and was lost: still accepted when it turns up.
    expect(textOf(expectOk(bob.open(sent[180]!, 0)))).toBe('m180');
  });

  it('discards a message forged by a third party who knows the victim card', () => {
    const random = new SeededRandom('forgery');
    const alice = generateSideKeys(suite, random);
    const bob = generateSideKeys(suite, random);
    const mallory = generateSideKeys(suite, random);
    const bobWithAlice = Session.create(suite, setupFor(bob, alice), random);
    // Mallory knows Alice's and Bob's cards (all public keys) but no Ckp secret of theirs.
    const fakeAlice = { ...alice, contact: { ...mallory.contact, publicKey: alice.contact.publicKey } };
    const forger = Session.create(suite, setupFor(fakeAlice, bob), random);
    const r = bobWithAlice.open(forger.sealText('wire the money').envelope, 0);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('bad-mac');
    // Mallory with her own contact key talking to Bob's mailbox: also refused.
    const own = Session.create(suite, setupFor(mallory, bob), random);
    const r2 = bobWithAlice.open(own.sealText('hi').envelope, 0);
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.code).toBe('bad-mac');
  });

  it('refuses an envelope for another mailbox and another kind', () => {
    const { alice, bob } = pair('mailbox');
    const env = alice.sealText('x').envelope;
    const other = env.slice();
    other[1] = (other[1] as number) ^ 0xff;
    const r = bob.open(other, 0);
    expect(r.ok ? 'ok' : r.code).toBe('unknown-mailbox');
    const kind = env.slice();
    kind[0] = 0x12;
    const k = bob.open(kind, 0);
    expect(k.ok ? 'ok' : k.code).toBe('bad-kind');
  });

  it('uses distinct keys per direction: equal counters give different ciphertexts, and a reflected envelope fails', () => {
    const { alice, bob } = pair('directions');
    const a = alice.sealText('same').envelope;
    const b = bob.sealText('same').envelope;
    expect(toHex(a.subarray(10))).not.toBe(toHex(b.subarray(10)));
    // Alice's own envelope re-addressed to her mailbox must not open at Alice.
    const reflected = a.slice();
    reflected.set(alice.mailboxes(0)[0]!.tag, 1);
    expect(alice.open(reflected, 0).ok).toBe(false);
  });

  it('throws typed errors for misuse: oversize content, exhausted counter, identical contact keys', () => {
    const { alice } = pair('misuse');
    expect(() => alice.sealText('x'.repeat(5000))).toThrow(SessionError);
    try {
      alice.sealText('x'.repeat(5000));
    } catch (e) {
      expect((e as SessionError).code).toBe('content-too-long');
      expect((e as SessionError).name).toBe('SessionError');
    }
    alice.exportState().current.sendCounter = 0xffffff;
    expect(alice.sealText('last').envelope.length).toBe(31);
    expect(() => alice.sealText('one too many')).toThrow(/rotate/);
    const random = new SeededRandom('same');
    const k = generateSideKeys(suite, random);
    expect(() => Session.create(suite, setupFor(k, k), random)).toThrow(SessionError);
  });

  it('refuses a low-order peer Ekp at setup', () => {
    const random = new SeededRandom('low-order');
    const a = generateSideKeys(suite, random);
    const b = generateSideKeys(suite, random);
    const setup = { ...setupFor(a, b), theirEncryption: new Uint8Array(32) };
    expect(() => Session.create(suite, setup, random)).toThrow(/low-order/);
  });

  it('never prints secrets', () => {
    const { alice, aliceKeys } = pair('redact');
    const printed = JSON.stringify(alice) + JSON.stringify(alice.exportState().myEncryption);
    expect(printed).toContain('redacted');
    const secretHex = toHex(aliceKeys.encryption.secretKey);
    expect(printed.includes(secretHex)).toBe(false);
    expect(printed).not.toMatch(/"root"|"sendKey"/);
  });
});

describe('session: hostile peer input', () => {
  it('a low-order Ekp proposal is refused as bad-key and changes nothing', () => {
    const { alice, bob, random } = pair('low-order-proposal');
    alice.rotateEncryptionKey(random);
    const next = alice.exportState().next;
    if (next?.origin !== 'mine') throw new Error('expected my proposal');
    next.pair.publicKey.fill(0); // a broken or malicious peer proposes a low-order point
    const env = alice.sealText('poisoned').envelope;
    for (let i = 0; i < 2; i++) {
      const r = bob.open(env, 0);
      expect(r.ok ? 'ok' : r.code).toBe('bad-key'); // not 'replay': the window did not move
    }
    expect(bob.exportState().next).toBeUndefined();
  });

  it('prints no secret through util.inspect either', async () => {
    const { inspect } = await import('node:util');
    const { alice } = pair('inspect');
    const text = inspect(alice, { depth: 10 }) + inspect(alice.exportState().current, { depth: 10 });
    expect(text).toContain('redacted');
    expect(text).not.toContain('Uint8Array'); // no key bytes at all, only numbers, tags and labels
  });
});

describe('session: time and options', () => {
  it('refuses bad options and non-finite times; fractional simulated times still serialise', async () => {
    const { encodeSessionState, restoreSession } = await import('../../protocol/session/state-codec.ts');
    expect(() => pair('opt', { epochGraceMessages: -1 })).toThrow(SessionError);
    expect(() => pair('opt', { epochGraceMs: 1.5 })).toThrow(/integer/);
    const { alice, bob, random } = pair('fraction');
    expect(() => bob.open(alice.sealText('x').envelope, Number.NaN)).toThrow(SessionError);
    alice.rotateEncryptionKey(random);
    alice.rotateLookupKey(random);
    expectOk(bob.open(alice.sealText('p').envelope, 1234.567));
    expectOk(alice.open(bob.sealControl().envelope, 1234.567));
    const restored = restoreSession(suite, encodeSessionState(alice), random);
    expect(restored.ok).toBe(true);
    expect(alice.exportState().previous?.expiresAtMs).toBe(1234 + 48 * 3_600_000);
  });
});
