/**
 * Presence through a relay core (manual clock, in-memory SQLite): what the
 * agent's PresenceBook publishes is filed opaque under the publisher's
 * mailbox tag, only the contact reads it, one record per mailbox, and it
 * is gone when it expires.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { generateServerKeyPair } from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import { RelayError } from '../../protocol/server/errors.ts';
import { generateSideKeys, setupFor } from '../../protocol/session/pair.ts';
import { openPresence } from '../../protocol/session/presence.ts';
import { Session } from '../../protocol/session/session.ts';
import type { Clock } from '../../seams/clock.ts';
import type { NodePort } from '../../seams/node-port.ts';
import { openStore } from '../../node-runtime/store/index.ts';
import type { Store } from '../../seams/store.ts';
import { RelayCore } from '../../gateway/server/core/relay-core.ts';
import { RelayDb } from '../../gateway/server/store/relay-db.ts';
import { RelayClient } from '../../gateway/client/relay-client.ts';
import { PresenceBook } from '../../agent/presence/presence-book.ts';
import { suite, TEST_LIMITS } from '../gateway/relay/support.ts';
import { pair } from '../session/helpers.ts';

class ManualClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  setTimer(): { cancel(): void } {
    return { cancel: () => undefined };
  }
}

const opened: { store: Store; db: RelayDb }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) {
    o.db.close();
    o.store.close();
  }
});

const ADDRESS = 'udp://192.168.1.20:6371';

function setUp() {
  const clock = new ManualClock(1_790_000_000_000);
  const random = new SeededRandom('presence-relay');
  const store = openStore({ path: ':memory:', clock, random });
  const db = new RelayDb(':memory:');
  opened.push({ store, db });
  const key = generateServerKeyPair(suite, random);
  const core = new RelayCore({ suite, random, clock, key, urls: ['http://test'], store, db, limits: TEST_LIMITS });
  const client = new RelayClient({
    suite, random: new SeededRandom('presence-client'), clock, server: key.publicKey,
    transport: { url: 'direct', maxRequestBytes: 1 << 20, exchange: (frame) => core.handle(frame, { source: 's', maxResponseBytes: 1 << 20 }), close: async () => undefined },
  });
  /** A node port as the agent sees it: presence looked up on this relay. */
  const node = (directAddress?: string): NodePort => ({
    ...(directAddress ? { directAddress } : {}),
    lookupPresence: async (tag) => {
      try {
        return (await client.lookupPresence(tag)).blob;
      } catch (e) {
        if (e instanceof RelayError && e.code === 'not-found') return undefined;
        throw e;
      }
    },
    submit: () => Promise.reject(new Error('unused')), receiptState: () => undefined, onState: () => () => undefined,
    watch: () => undefined, onEnvelope: () => () => undefined, release: () => undefined,
  });
  return { clock, client, db, node };
}

describe('presence on a relay', () => {
  it('is published under the mailbox tag, read by the contact only, and forgotten at expiry', async () => {
    const { clock, client, db, node } = setUp();
    const { alice, bob, random } = pair('presence-relay');
    const mine = new PresenceBook({ suite, random, clock, node: node(ADDRESS) }, { ttlMs: 600_000 });
    const published = mine.publish('bob', alice)!;
    expect(published.ttlSec).toBe(600);
    const lookup = alice.mailboxes(clock.now())[0]!.lookup;
    expect(toHex(published.tag)).toBe(toHex(alice.mailboxes(clock.now())[0]!.tag));
    await client.register(lookup);
    await client.publishPresence(lookup, published.blob, published.ttlSec);

    // The relay holds the sealed bytes as given, under the 16-byte tag of Alice's Lkp; the address is not in them.
    const relayTag = mailboxTagOf(suite, lookup.publicKey);
    expect(toHex(relayTag)).toBe(toHex(mailboxTagOf(suite, bob.exportState().theirLookup)));
    const row = db.getPresence(relayTag, clock.now())!;
    expect(toHex(row.blob)).toBe(toHex(published.blob));
    expect(row.expiresMs).toBe(clock.now() + 600_000);
    expect(Buffer.from(row.blob).includes(Buffer.from(utf8('192.168.1.20')))).toBe(false);

    // Bob, the contact, reads it.
    const theirs = new PresenceBook({ suite, random, clock, node: node('udp://192.168.1.30:6371') });
    // A node without a direct endpoint does not even look.
    expect(await new PresenceBook({ suite, random, clock, node: node() }).addressOf('alice', bob, relayTag, ['http://test'])).toBeUndefined();
    expect(await theirs.addressOf('alice', bob, relayTag, ['http://test'])).toBe(ADDRESS);

    // Mallory holds Alice's card (her own session with the same mailbox tag) but is not Bob: nothing.
    const { aliceKeys } = pair('presence-relay');
    const mallory = Session.create(suite, setupFor(generateSideKeys(suite, new SeededRandom('mallory')), aliceKeys), random);
    expect(toHex(mallory.peerMailboxTag)).toBe(toHex(bob.peerMailboxTag));
    expect(openPresence(suite, mallory, row.blob, clock.now())).toMatchObject({ ok: false, code: 'bad-mac' });
    const hers = new PresenceBook({ suite, random, clock, node: node('udp://192.168.1.40:6371') });
    expect(await hers.addressOf('alice', mallory, relayTag, ['http://test'])).toBeUndefined();

    // One record per mailbox: publishing again replaces it.
    clock.t += 301_000; // past half the time to live: resealed with a fresh nonce
    const again = mine.publish('bob', alice)!;
    expect(toHex(again.blob)).not.toBe(toHex(published.blob));
    await client.publishPresence(lookup, again.blob, again.ttlSec);
    expect(db.count('presence')).toBe(1);

    // Expired: the relay answers "not found", sweeps the row, and Bob's cache lets go of the address.
    clock.t += 600_000;
    await expect(client.lookupPresence(relayTag)).rejects.toMatchObject({ code: 'not-found' });
    db.expire(clock.now(), 0);
    expect(db.count('presence')).toBe(0);
    expect(await theirs.addressOf('alice', bob, relayTag, ['http://test'])).toBeUndefined();
  });

  it('keeps one sealed blob while it is fresh and reseals when the address changes', () => {
    const { clock } = setUp();
    const { alice, random } = pair('presence-cache');
    let address = ADDRESS;
    const port = { directAddress: address } as { directAddress: string };
    const book = new PresenceBook({ suite, random, clock, node: port as unknown as NodePort }, { ttlMs: 600_000 });
    const a = book.publish('bob', alice)!;
    clock.t += 299_000;
    expect(book.publish('bob', alice)).toBe(a);
    address = 'udp://192.168.1.21:6371';
    port.directAddress = address;
    const b = book.publish('bob', alice)!;
    expect(toHex(b.blob)).not.toBe(toHex(a.blob));
    expect(new PresenceBook({ suite, random, clock, node: {} as NodePort }).publish('bob', alice)).toBeUndefined();
  });
});
