/**
 * Model-based test of the rotation protocol: two sides rotate Ekp and Lkp at
 * random moments while the network reorders, duplicates and drops envelopes.
 * Invariants: every accepted message is the one that was sent and is
 * accepted once; refusals are only the expected kinds; and once the network
 * is reliable again both sides converge on the same epoch root and mailboxes
 * with no rotation left pending.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import type { Session } from '../../protocol/session/session.ts';
import { encodeSessionState, restoreSession } from '../../protocol/session/state-codec.ts';
import { expectOk, pair, suite, textOf } from './helpers.ts';

interface InFlight {
  envelope: Uint8Array;
  text: string;
}

const ALLOWED_REFUSALS = new Set(['bad-mac', 'replay', 'unknown-mailbox']);

const MINUTE_MS = 60_000;

function runChaos(seed: number): { epochs: number; accepted: number; lookups: number } {
  // Short grace and drain windows so that time-based expiry happens during the run.
  const p = pair(`chaos-${seed}`, { epochGraceMs: 360 * MINUTE_MS, epochGraceMessages: 1 + (seed % 8), lookupDrainMs: 720 * MINUTE_MS });
  let nowMs = 1_780_000_000_000;
  const sides: Record<'alice' | 'bob', Session> = { alice: p.alice, bob: p.bob };
  const rnd = new SeededRandom(`schedule-${seed}`);
  const queues: Record<'alice' | 'bob', InFlight[]> = { alice: [], bob: [] }; // keyed by recipient
  const accepted = new Set<string>();
  let sent = 0;
  const other = (s: 'alice' | 'bob'): 'alice' | 'bob' => (s === 'alice' ? 'bob' : 'alice');

  const receive = (to: 'alice' | 'bob', m: InFlight): void => {
    const r = sides[to].open(m.envelope, nowMs);
    if (r.ok) {
      expect(textOf(r.value)).toBe(m.text);
      expect(accepted.has(m.text), `accepted twice: ${m.text}`).toBe(false);
      accepted.add(m.text);
    } else {
      expect(ALLOWED_REFUSALS.has(r.code), `${r.code}: ${r.message}`).toBe(true);
    }
  };

  for (let step = 0; step < 150; step++) {
    nowMs += rnd.int(10) * MINUTE_MS;
    const who = rnd.int(2) === 0 ? 'alice' : 'bob';
    const action = rnd.int(20);
    if (action === 0) sides[who].rotateEncryptionKey(p.random);
    else if (action === 1) sides[who].rotateLookupKey(p.random);
    else if (action === 2) {
      // Save and restore one side, as a node restart would.
      sides[who] = expectOk(restoreSession(suite, encodeSessionState(sides[who]), p.random));
    } else if (action < 10) {
      const text = `${who}-${sent++}`;
      queues[other(who)].push({ envelope: sides[who].sealText(text).envelope, text });
    } else {
      const q = queues[who];
      if (q.length === 0) continue;
      const i = rnd.int(q.length);
      const m = q[i]!;
      const fate = rnd.int(10);
      if (fate < 2) q.splice(i, 1); // lost
      else if (fate < 3) receive(who, m); // duplicated: stays queued
      else {
        q.splice(i, 1);
        receive(who, m);
      }
    }
  }

  // The network becomes reliable: exchange until both sides are quiet.
  for (let round = 0; round < 12; round++) {
    for (const from of ['alice', 'bob'] as const) {
      const text = `settle-${from}-${round}`;
      const m = { envelope: sides[from].sealText(text).envelope, text };
      const r = sides[other(from)].open(m.envelope, nowMs);
      expect(r.ok, r.ok ? '' : `settle round ${round}: ${r.code}`).toBe(true);
    }
  }
  const a = sides.alice.exportState();
  const b = sides.bob.exportState();
  expect(a.current.number).toBe(b.current.number);
  expect(toHex(a.current.root)).toBe(toHex(b.current.root));
  expect(a.next).toBeUndefined();
  expect(b.next).toBeUndefined();
  expect(sides.alice.rotationPending).toBe(false);
  expect(sides.bob.rotationPending).toBe(false);
  expect(toHex(sides.alice.peerMailboxTag)).toBe(toHex(sides.bob.mailboxes(nowMs)[0]!.tag));
  expect(toHex(sides.bob.peerMailboxTag)).toBe(toHex(sides.alice.mailboxes(nowMs)[0]!.tag));
  expect(toHex(a.theirEncryption)).toBe(toHex(b.myEncryption.publicKey));
  const lookups = Number(toHex(p.aliceKeys.lookup.publicKey) !== toHex(a.mailboxes.current.publicKey))
    + Number(toHex(p.bobKeys.lookup.publicKey) !== toHex(b.mailboxes.current.publicKey));
  return { epochs: a.current.number, accepted: accepted.size, lookups };
}

describe('session: rotations under reordering, loss, duplication and restarts', () => {
  it('converges for 60 random schedules', () => {
    let epochs = 0;
    let lookups = 0;
    let accepted = 0;
    for (let seed = 0; seed < 60; seed++) {
      const r = runChaos(seed);
      epochs += r.epochs;
      lookups += r.lookups;
      accepted += r.accepted;
    }
    // The schedules really rotate (about 7 proposals per run) and deliver.
    expect(epochs).toBeGreaterThan(120);
    expect(lookups).toBeGreaterThan(60);
    expect(accepted).toBeGreaterThan(60 * 24 + 60 * 10);
    console.log(`chaos: ${epochs} epochs committed, ${lookups} sides on a new mailbox, ${accepted} messages accepted`);
  });
});
