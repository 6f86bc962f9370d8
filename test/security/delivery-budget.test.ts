/**
 * A mesh node's store under a flood from the open radio (issue 9 item 2):
 * real SQLite, the daemon's delivery hook, envelopes as an attacker holding
 * the default network key would send them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { broadcastKeyId, sealBroadcast } from '../../protocol/envelope/broadcast.ts';
import { BROADCAST_TAG, createDelivery, type DeliveryBudget, TRUSTED_BROADCAST_TAG } from '../../apps/meow-node/delivery.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import type { Clock } from '../../seams/clock.ts';

const suite = createNodeSuite();
const T0 = 1_790_000_000_000;
const clock: Clock = { now: () => T0, setTimer: () => ({ cancel: () => undefined }) };
const meta = (at = T0) => ({ broadcast: true, messageId: 1, hops: 2, receivedAtMs: at });
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function setUp(broadcasters: Uint8Array[] = [], budget: Partial<DeliveryBudget> = {}) {
  // In-memory SQLite: the same engine and schema; 5,400 fsyncs of a file would only slow a shared machine.
  const store: Store = openStore({ path: ':memory:', clock, random: new SeededRandom('db') });
  cleanups.push(() => store.close());
  const deliver = createDelivery({ store, suite, log: createLogger('error', () => T0, () => undefined), gateway: () => undefined, broadcasters, budget });
  return { store, deliver };
}

/** A broadcast that claims `keyId` but is signed by someone else: what a forger without the key sends. */
function forged(keyId: Uint8Array, text: string, rnd: SeededRandom): Uint8Array {
  const b = sealBroadcast(suite, rnd.bytes(32), text, T0 + 7 * 86_400_000);
  b.set(keyId, 1);
  return b;
}

describe('delivery under a broadcast flood', () => {
  it('stores no forged broadcast of 2,700, is not locked out by 2,700 self-signed ones, and keeps genuine ones', () => {
    const rnd = new SeededRandom('flood');
    const authoritySeed = rnd.bytes(32);
    const authority = suite.ed25519PublicKey(authoritySeed);
    const { store, deliver } = setUp([authority]);
    const authorityId = broadcastKeyId(suite, authority);
    for (let i = 0; i < 2700; i++) expect(deliver(forged(authorityId, `FAKE EVACUATION ORDER ${i}`, rnd), meta())).toBe(true);
    for (let i = 0; i < 2700; i++) {
      deliver(sealBroadcast(suite, rnd.bytes(32), `FAKE EVACUATION ORDER from key ${i}`, T0 + 7 * 86_400_000), meta());
    }
    expect(deliver.counters.forgedBroadcasts).toBe(2700);
    expect(store.mailboxes.counts(TRUSTED_BROADCAST_TAG).messages).toBe(0);
    // The genuine order from the trusted key is stored, apart from the flood.
    const genuine = sealBroadcast(suite, authoritySeed, 'shelter at the school', T0 + 86_400_000);
    expect(deliver(genuine, meta())).toBe(true);
    expect(store.mailboxes.list(TRUSTED_BROADCAST_TAG, { limit: 10 }, T0).map((m) => m.bytes)).toEqual([genuine]);
    // An unverifiable but genuine broadcast from a neighbour still gets in: the oldest flood goes.
    const neighbour = sealBroadcast(suite, rnd.bytes(32), 'water at the well', T0 + 86_400_000);
    expect(deliver(neighbour, meta())).toBe(true);
    const open = store.mailboxes.list(BROADCAST_TAG, { limit: 5000 }, T0);
    expect(open.length).toBeLessThanOrEqual(2000);
    expect(open.at(-1)?.bytes).toEqual(neighbour);
    expect(deliver.counters.evictedBroadcasts).toBeGreaterThan(0);
  }, 120_000);

  it('budgets each unverified key: one key cannot post more than its allowance', () => {
    const rnd = new SeededRandom('one-key');
    const { store, deliver } = setUp();
    const seed = rnd.bytes(32);
    for (let i = 0; i < 50; i++) deliver(sealBroadcast(suite, seed, `spam ${i}`, T0 + 86_400_000), meta());
    expect(store.mailboxes.counts(BROADCAST_TAG).messages).toBe(3);
  });
});

describe('delivery of mail under tags of the sender\'s choosing', () => {
  /** A direct envelope's clear layout: 0x11 | tag 6 | masked counter 3 | ciphertext >= 1 | AEAD tag 16. */
  function direct(tag: Uint8Array, rnd: SeededRandom): Uint8Array {
    const e = new Uint8Array(1 + 6 + 3 + 8 + 16);
    e[0] = 0x11;
    e.set(tag, 1);
    e.set(rnd.bytes(e.length - 7), 7);
    return e;
  }

  it('cannot fill the node\'s total with fresh tags, and an existing mailbox is still served', () => {
    const rnd = new SeededRandom('tags');
    const { store, deliver } = setUp([], { maxMessagesTotal: 4000, maxBytesTotal: 1 << 30 });
    const mine = rnd.bytes(6);
    expect(deliver(direct(mine, rnd), meta())).toBe(true);
    let accepted = 0;
    for (let i = 0; i < 5000; i++) if (deliver(direct(rnd.bytes(6), rnd), meta())) accepted++;
    // At most the new-mailbox allowance (60) got in, far below the mesh share (2,000).
    expect(accepted).toBeLessThanOrEqual(60);
    expect(store.mailboxes.totals().messages).toBeLessThanOrEqual(61);
    expect(deliver(direct(mine, rnd), meta())).toBe(true);
    // One tag cannot take more than its own allowance either.
    let sameTag = 0;
    const theirs = rnd.bytes(6);
    for (let i = 0; i < 500; i++) if (deliver(direct(theirs, rnd), meta())) sameTag++;
    expect(sameTag).toBeLessThanOrEqual(120);
  });

  it('opens no new mailbox past the mesh share, even with allowance left', () => {
    const rnd = new SeededRandom('share');
    const { store, deliver } = setUp([], { maxMessagesTotal: 100, newMailboxes: { capacity: 1e6, refillPerSecond: 0 } });
    let accepted = 0;
    for (let i = 0; i < 200; i++) if (deliver(direct(rnd.bytes(6), rnd), meta())) accepted++;
    expect(accepted).toBe(50);
    expect(store.mailboxes.totals().messages).toBe(50);
  });
});
