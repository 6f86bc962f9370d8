import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import type { Session } from '../../protocol/session/session.ts';
import { decodeSessionState, encodeSessionState, restoreSession } from '../../protocol/session/state-codec.ts';
import { fuzzDecoder } from '../envelope/fuzz-helpers.ts';
import { deliver, expectOk, pair, suite, textOf } from './helpers.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';

/** Sessions in every state the codec has flags for: pending/draining Lkp, next mine/theirs, previous epoch, deferred. */
function sessionsInEveryState(): Session[] {
  const out: Session[] = [];
  const fresh = pair('codec-fresh');
  out.push(fresh.alice);
  const busy = pair('codec-busy');
  deliver(busy.alice, busy.bob, 'hello');
  busy.alice.rotateEncryptionKey(busy.random); // alice: next mine
  busy.bob.rotateLookupKey(busy.random); // bob: pending Lkp
  deliver(busy.alice, busy.bob, 'proposal'); // bob: next theirs
  busy.bob.rotateEncryptionKey(busy.random); // bob: deferred
  out.push(busy.alice, busy.bob);
  const after = pair('codec-after');
  after.alice.rotateEncryptionKey(after.random);
  after.alice.rotateLookupKey(after.random);
  deliver(after.alice, after.bob, 'proposal');
  expectOk(after.alice.open(after.bob.sealControl().envelope, 1000)); // previous epoch + draining Lkp
  deliver(after.alice, after.bob, 'commit', 2000);
  out.push(after.alice, after.bob);
  return out;
}

describe('session state codec', () => {
  it('round-trips every state and the restored session behaves the same', () => {
    for (const s of sessionsInEveryState()) {
      const bytes = encodeSessionState(s);
      const restored = expectOk(restoreSession(suite, bytes, new SeededRandom('healing-keys')));
      expect(toHex(encodeSessionState(restored))).toBe(toHex(bytes));
      expect(JSON.stringify(restored)).toBe(JSON.stringify(s));
    }
  });

  it('restored sessions keep counters and replay windows (no nonce reuse, replays refused)', () => {
    const { alice, bob } = pair('codec-counters');
    const first = alice.sealText('one');
    expectOk(bob.open(first.envelope, 0));
    const alice2 = expectOk(restoreSession(suite, encodeSessionState(alice), new SeededRandom('healing-keys')));
    const bob2 = expectOk(restoreSession(suite, encodeSessionState(bob), new SeededRandom('healing-keys')));
    const second = alice2.sealText('two');
    expect(second.id.counter).toBe(1);
    const r = bob2.open(first.envelope, 0);
    expect(r.ok ? 'ok' : r.code).toBe('replay');
    expect(textOf(expectOk(bob2.open(second.envelope, 0)))).toBe('two');
  });

  it('refuses every truncation, trailing bytes, and bad format/flags with typed errors', () => {
    const bytes = encodeSessionState(sessionsInEveryState()[1]!);
    for (let n = 0; n < bytes.length; n++) {
      const r = decodeSessionState(suite, bytes.subarray(0, n));
      expect(r.ok, `length ${n}`).toBe(false);
      if (!r.ok) expect(r.code).toBe('truncated');
    }
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    const t = decodeSessionState(suite, longer);
    expect(t.ok ? 'ok' : t.code).toBe('trailing-bytes');
    const v = bytes.slice();
    v[0] = 2;
    const bv = decodeSessionState(suite, v);
    expect(bv.ok ? 'ok' : bv.code).toBe('bad-version');
  });

  it('fuzz: 100,000 random and mutated states never throw', () => {
    const valid = sessionsInEveryState().map(encodeSessionState);
    const { accepted } = fuzzDecoder('state-fuzz', 100_000, valid, 700, (b) => decodeSessionState(suite, b));
    // Mutations of key bytes still decode (they are just other keys): the vault's AEAD guards integrity.
    expect(accepted).toBeGreaterThan(0);
  });
});
