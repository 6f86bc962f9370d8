/**
 * The relay core on a manual clock and in-memory SQLite: lifetimes (presence
 * TTL, broadcast retention, directory expiry), quotas, rate limits, the
 * response budget of small doors, and group commit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes, utf8 } from '../../../protocol/codec/bytes.ts';
import { generateLookupKeyPair, generateServerKeyPair } from '../../../protocol/keys/keys.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { mailboxTagOf, messageIdOf } from '../../../protocol/server/mailbox.ts';
import { RelayError } from '../../../protocol/server/errors.ts';
import { createDirectoryEntry } from '../../../protocol/server/records.ts';
import { mintStamp } from '../../../protocol/server/stamp.ts';
import { encodeRequest } from '../../../protocol/server/request-encode.ts';
import type { Clock } from '../../../seams/clock.ts';
import { openStore } from '../../../node-runtime/store/index.ts';
import type { Store } from '../../../seams/store.ts';
import { RelayCore } from '../../../gateway/server/core/relay-core.ts';
import { RelayDb } from '../../../gateway/server/store/relay-db.ts';
import { RelayClient } from '../../../gateway/client/relay-client.ts';
import type { RelayTransport } from '../../../gateway/client/transport.ts';
import type { RelayLimits } from '../../../gateway/server/config.ts';
import { suite, TEST_LIMITS } from './support.ts';

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

function setUp(limits: Partial<RelayLimits> = {}, maxResponseBytes = 1 << 20, source = 'src', maxMessagesPerMailbox = 5) {
  const clock = new ManualClock(1_790_000_000_000);
  const random = new SeededRandom('core');
  const store = openStore({ path: ':memory:', clock, random, mailbox: { maxMessagesPerMailbox } });
  const db = new RelayDb(':memory:');
  opened.push({ store, db });
  const key = generateServerKeyPair(suite, random);
  const core = new RelayCore({ suite, random, clock, key, urls: ['http://test'], store, db, limits: { ...TEST_LIMITS, ...limits } });
  const transport: RelayTransport = {
    url: 'direct', maxRequestBytes: 1 << 20,
    exchange: (frame) => core.handle(frame, { source, maxResponseBytes }),
    close: async () => undefined,
  };
  const client = new RelayClient({ suite, random: new SeededRandom('core-client'), clock, transport, server: key.publicKey });
  return { clock, core, client, key, store, db };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof RelayError) return e.code;
    throw e;
  }
}

describe('relay core', () => {
  it('expires presence after its TTL and broadcasts after the retention time', async () => {
    const { clock, client } = setUp({ broadcastRetentionMs: 3_600_000 });
    const owner = generateLookupKeyPair(suite, new SeededRandom('p'));
    await client.register(owner);
    await client.publishPresence(owner, utf8('addr'), 60);
    clock.t += 59_000;
    expect((await client.lookupPresence(mailboxTagOf(suite, owner.publicKey))).blob).toEqual(utf8('addr'));
    clock.t += 2_000;
    expect(await code(client.lookupPresence(mailboxTagOf(suite, owner.publicKey)))).toBe('not-found');
    await client.postBroadcast(new SeededRandom('a').bytes(32), 'curfew lifted', 8);
    clock.t += 3_599_000;
    expect(await client.listBroadcasts()).toHaveLength(1);
    clock.t += 2_000;
    expect(await client.listBroadcasts()).toHaveLength(0);
  });

  it('refuses stale records and expires directory entries', async () => {
    const { clock, client, core } = setUp();
    const seed = new SeededRandom('d').bytes(32);
    await client.publishEntry(seed, { ttlSec: 120, description: 'short lived', reach: utf8('r') }, 8);
    expect(await client.searchEntries('short')).toHaveLength(1);
    clock.t += 121_000;
    expect(await client.searchEntries('short')).toHaveLength(0);
    expect(await core.expire()).toBeGreaterThan(0);
    // A record made 11 minutes ago (a replay from a capture) is refused as stale.
    const old = createDirectoryEntry(suite, new SeededRandom('d2').bytes(32), client.serverKey.signing,
      { createdSec: Math.floor(clock.t / 1000) - 11 * 60, ttlSec: 3600, description: 'old', reach: utf8('r') });
    const stamp = mintStamp(suite, new SeededRandom('st'), client.serverKey.signing, suite.sha256(old.bytes), 8, Math.floor(clock.t / 60_000));
    expect(await code(client.send('directory-publish', encodeRequest({ kind: 'directory-publish', record: old.bytes, stamp })))).toBe('stale');
  });

  it('maps the mailbox quota of the store to quota-exceeded and rate-limits deposits per mailbox', async () => {
    const { client } = setUp({ perMailbox: { capacity: 6, refillPerSecond: 0 } });
    const owner = generateLookupKeyPair(suite, new SeededRandom('q'));
    const passKey = new SeededRandom('pk').bytes(32);
    await client.register(owner, passKey);
    const tag = mailboxTagOf(suite, owner.publicKey);
    for (let i = 0; i < 5; i++) await client.deposit(tag, utf8(`m${i}`), { passKey });
    expect(await code(client.deposit(tag, utf8('m5'), { passKey }))).toBe('quota-exceeded');
    expect(await code(client.deposit(tag, utf8('m6'), { passKey }))).toBe('rate-limited');
    expect(await code(client.deposit(tag, utf8('m7'), { passKey }))).toBe('rate-limited');
    expect((await client.fetch(owner)).messages).toHaveLength(5);
  });

  it('keeps the pass key when the owner (or its gateway) registers again without one (security review M1)', async () => {
    const { client } = setUp({});
    const owner = generateLookupKeyPair(suite, new SeededRandom('m1'));
    const passKey = new SeededRandom('m1-pk').bytes(32);
    await client.register(owner, passKey);
    await client.register(owner); // what a gateway sends for a registered user
    const tag = mailboxTagOf(suite, owner.publicKey);
    await client.deposit(tag, utf8('from a contact'), { passKey });
    expect((await client.fetch(owner)).messages).toHaveLength(1);
  });

  it('does not charge the mailbox allowance for refused deposits (security review M4)', async () => {
    const { client } = setUp({ perMailbox: { capacity: 2, refillPerSecond: 0 }, depositStampBits: 8 });
    const owner = generateLookupKeyPair(suite, new SeededRandom('m4'));
    const passKey = new SeededRandom('m4-pk').bytes(32);
    await client.register(owner, passKey);
    const tag = mailboxTagOf(suite, owner.publicKey);
    for (let i = 0; i < 10; i++) expect(await code(client.deposit(tag, utf8(`spam ${i}`)))).toBe('stamp-required');
    await client.deposit(tag, utf8('from a contact'), { passKey });
    await client.deposit(tag, utf8('again'), { passKey });
    expect(await code(client.deposit(tag, utf8('third'), { passKey }))).toBe('rate-limited');
  });

  it('answers a replayed stamped deposit as a duplicate, 130 times, without spending the contacts\' allowance (issue 9 item 1)', async () => {
    // Default allowances: a repeat must not cost a token, whoever pays for it.
    const { client, clock, store } = setUp({
      depositStampBits: 16, perMailbox: { capacity: 120, refillPerSecond: 0 }, perMailboxStamped: { capacity: 60, refillPerSecond: 0 },
    }, 1 << 20, 'src', 1000);
    const owner = generateLookupKeyPair(suite, new SeededRandom('i9-1'));
    const passKey = new SeededRandom('i9-1-pk').bytes(32);
    await client.register(owner, passKey);
    const tag = mailboxTagOf(suite, owner.publicKey);
    const envelope = utf8('one stamped deposit');
    const id = messageIdOf(suite, tag, envelope);
    const stamp = mintStamp(suite, new SeededRandom('i9-1-st'), client.serverKey.signing, concatBytes(tag, id), 16, Math.floor(clock.t / 60_000));
    const frame = encodeRequest({ kind: 'deposit', tag, envelope, stamp });
    const answers: string[] = [];
    for (let i = 0; i < 130; i++) {
      const a = await client.send('deposit', frame).then((b) => (b.duplicate ? 'duplicate' : 'stored'), (e: unknown) => (e instanceof RelayError ? e.code : 'error'));
      answers.push(a);
    }
    expect(answers.filter((a) => a === 'stored')).toHaveLength(1);
    expect(answers.filter((a) => a === 'duplicate')).toHaveLength(129);
    // The stamp stays spent once the owner fetched and deleted the message: a later replay stores nothing.
    const page = await client.fetch(owner);
    await client.fetch(owner, { acks: page.messages.map((m) => m.id) });
    expect((await client.send('deposit', frame)).duplicate).toBe(true);
    expect(store.mailboxes.counts(tag).messages).toBe(0);
    // The contact with a valid pass is still served, for the whole allowance.
    for (let i = 0; i < 120; i++) expect(await code(client.deposit(tag, utf8(`contact ${i}`), { passKey }))).toBe('ok');
  });

  it('keeps stamped strangers on their own allowance: a stamp flood cannot shut a mailbox to its contacts', async () => {
    const { client } = setUp({ depositStampBits: 4, perMailbox: { capacity: 3, refillPerSecond: 0 }, perMailboxStamped: { capacity: 5, refillPerSecond: 0 } }, 1 << 20, 'src', 100);
    const owner = generateLookupKeyPair(suite, new SeededRandom('i9-1b'));
    const passKey = new SeededRandom('i9-1b-pk').bytes(32);
    await client.register(owner, passKey);
    const tag = mailboxTagOf(suite, owner.publicKey);
    const strangers: string[] = [];
    for (let i = 0; i < 8; i++) strangers.push(await code(client.deposit(tag, utf8(`stranger ${i}`), { stampBits: 4 })));
    expect(strangers.filter((c) => c === 'rate-limited')).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(await code(client.deposit(tag, utf8(`contact ${i}`), { passKey }))).toBe('ok');
  });

  it('refuses a signed request older than the counter memory, so a forgotten counter cannot be replayed (security review L2)', async () => {
    const { core, key, clock } = setUp({ mailboxIdleTtlMs: 90 * 86_400_000 });
    const transport: RelayTransport = { url: 'direct', maxRequestBytes: 1 << 20, exchange: (frame) => core.handle(frame, { source: 'old', maxResponseBytes: 1 << 20 }), close: async () => undefined };
    const oldClock = new ManualClock(clock.t - 91 * 86_400_000); // a request captured 91 days ago
    const replayer = new RelayClient({ suite, random: new SeededRandom('old'), clock: oldClock, transport, server: key.publicKey });
    expect(await code(replayer.register(generateLookupKeyPair(suite, new SeededRandom('l2'))))).toBe('stale');
  });

  it('bounds the clock skew of signed requests in both directions (issue 9 item 7)', async () => {
    const { core, key, clock } = setUp({ counterAheadMs: 10 * 60_000, mailboxIdleTtlMs: 90 * 86_400_000 });
    const clientAt = (offsetMs: number, seed: string): RelayClient => new RelayClient({
      suite, random: new SeededRandom(seed), clock: new ManualClock(clock.t + offsetMs), server: key.publicKey,
      transport: { url: 'direct', maxRequestBytes: 1 << 20, exchange: (f) => core.handle(f, { source: seed, maxResponseBytes: 1 << 20 }), close: async () => undefined },
    });
    const owner = (seed: string) => generateLookupKeyPair(suite, new SeededRandom(seed));
    // Ahead: within the bound served, beyond it refused (and nothing recorded for the signer).
    expect(await code(clientAt(9 * 60_000, 'ahead-ok').register(owner('a1')))).toBe('ok');
    const farAhead = owner('a2');
    expect(await code(clientAt(11 * 60_000, 'ahead-far').register(farAhead))).toBe('stale');
    expect(await code(clientAt(365 * 86_400_000, 'ahead-year').register(farAhead))).toBe('stale');
    expect(await code(clientAt(0, 'on-time').register(farAhead))).toBe('ok');
    // Behind: within the replay memory served, older refused.
    expect(await code(clientAt(-89 * 86_400_000, 'behind-ok').register(owner('b1')))).toBe('ok');
    expect(await code(clientAt(-91 * 86_400_000, 'behind-far').register(owner('b2')))).toBe('stale');
  });

  it('rate-limits a source before doing any crypto for it', async () => {
    const { client, core } = setUp({ perSource: { capacity: 3, refillPerSecond: 0 } });
    await client.catalog();
    await client.catalog();
    await client.catalog();
    expect(await code(client.catalog())).toBe('rate-limited');
    expect(core.counters.refused).toBe(1);
  });

  it('fits a fetch into a small door budget and says there is more', async () => {
    const { client } = setUp({}, 400);
    const owner = generateLookupKeyPair(suite, new SeededRandom('b'));
    const passKey = new SeededRandom('pk2').bytes(32);
    await client.register(owner, passKey);
    const tag = mailboxTagOf(suite, owner.publicKey);
    for (let i = 0; i < 4; i++) await client.deposit(tag, new Uint8Array(150).fill(i), { passKey });
    const page = await client.fetch(owner);
    expect(page.messages.length).toBe(2);
    expect(page.more).toBe(true);
    const next = await client.fetch(owner, { acks: page.messages.map((m) => m.id) });
    expect(next.messages.map((m) => m.envelope[0])).toEqual([2, 3]);
    expect(next.more).toBe(false);
  });

  it('allows only listed broadcast authors on a closed relay', async () => {
    const trusted = new SeededRandom('t').bytes(32);
    const { client } = setUp({ broadcastOpen: false, broadcastAuthors: [suite.ed25519PublicKey(trusted)] });
    expect(await code(client.postBroadcast(new SeededRandom('u').bytes(32), 'spam', 8))).toBe('unauthorized');
    expect(await code(client.postBroadcast(trusted, 'official notice'))).toBe('ok');
    expect(await code(client.postBroadcast(trusted, 'second notice'))).toBe('ok'); // listed authors are not rate-limited
  });

  it('commits a burst in one group and answers each request only after it', async () => {
    const { client, store } = setUp();
    const owner = generateLookupKeyPair(suite, new SeededRandom('g'));
    const passKey = new SeededRandom('pk3').bytes(32);
    await client.register(owner, passKey);
    const tag = mailboxTagOf(suite, owner.publicKey);
    let batches = 0;
    const batch = store.batch.bind(store);
    store.batch = <T>(fn: () => T): T => {
      batches++;
      return batch(fn);
    };
    const before = batches;
    await Promise.all([0, 1, 2, 3].map((i) => client.deposit(tag, utf8(`g${i}`), { passKey })));
    // One outer batch per flush, plus one savepoint per request inside it.
    expect(batches - before).toBe(5);
    expect(store.mailboxes.counts(tag).messages).toBe(4);
  });

  it('lets a second device with the same lookup key catch up with the counter', async () => {
    const { client, clock, core, key } = setUp();
    const owner = generateLookupKeyPair(suite, new SeededRandom('two-devices'));
    await client.register(owner);
    // The first device's clock is ahead (within the accepted skew); the second one's counters start below its last.
    clock.t += 9 * 60_000;
    await client.fetch(owner);
    clock.t -= 9 * 60_000;
    const transport: RelayTransport = { url: 'direct', maxRequestBytes: 1 << 20, exchange: (f) => core.handle(f, { source: 's2', maxResponseBytes: 1 << 20 }), close: async () => undefined };
    const second = new RelayClient({ suite, random: new SeededRandom('second'), clock, transport, server: key.publicKey });
    expect((await second.fetch(owner)).messages).toEqual([]);
  });

  it('re-signs its descriptor with new URLs', () => {
    const { core } = setUp();
    core.setUrls(['udp://10.0.0.1:41325']);
    expect(core.descriptor().urls).toEqual(['udp://10.0.0.1:41325']);
  });
});
