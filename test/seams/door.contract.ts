/**
 * ONE contract suite for every relay door (seams/door.ts; issue 4: "every
 * door drives the same core, and one contract suite runs against each"). A
 * door test file calls describeDoorContract with a function that starts a
 * relay with that door and says how to reach it; the suite talks to the
 * door through the client transport the scheme table gives for its URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLookupKeyPair, generateServerKeyPair, type LookupKeyPair } from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { encodeRequest, encodeSignedRequest } from '../../protocol/server/request-encode.ts';
import { mailboxTagOf, messageIdOf, senderPassOf } from '../../protocol/server/mailbox.ts';
import { createServerDescriptor } from '../../protocol/server/descriptor.ts';
import { createDirectoryEntry } from '../../protocol/server/records.ts';
import { sealRequest, openResponse } from '../../protocol/server/seal.ts';
import { decodeResponseFrame } from '../../protocol/server/frame.ts';
import { RelayError } from '../../protocol/server/errors.ts';
import { utf8 } from '../../protocol/codec/bytes.ts';
import { RELAY_URL_SCHEMES } from '../../protocol/server/doors.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { DOOR_TABLE } from '../../gateway/server/doors/door-table.ts';
import { TRANSPORT_TABLE } from '../../gateway/client/transport-table.ts';
import type { RunningRelay } from '../../gateway/server/relay.ts';
import { openTransport, type ConnectOptions } from '../../gateway/client/connect.ts';
import { RelayClient } from '../../gateway/client/relay-client.ts';
import type { RelayTransport } from '../../gateway/client/transport.ts';
import { clientOptions, suite } from '../gateway/relay/support.ts';

export interface DoorUnderTest {
  readonly relay: RunningRelay;
  /** The URL clients use for this door. */
  readonly url: string;
  /** Extra client options (a CA for https). */
  readonly client?: Partial<ConnectOptions>;
  /** Bytes of a request frame the door must refuse as too large. */
  readonly oversizeBytes: number;
  close(): Promise<void>;
}

const STAMP_BITS = 8;

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RelayError) return e.code;
    throw e;
  }
  throw new Error('expected a refusal');
}

export function describeDoorContract(name: string, start: () => Promise<DoorUnderTest>): void {
  describe(`relay door contract: ${name}`, () => {
    let door: DoorUnderTest;
    let seq = 0;
    const transports: RelayTransport[] = [];

    beforeAll(async () => {
      door = await start();
    });
    afterAll(async () => {
      await Promise.all(transports.map((t) => t.close().catch(() => undefined)));
      await door.close();
    });

    async function rawTransport(): Promise<RelayTransport> {
      const t = await openTransport(door.url, clientOptions(`${name}-raw-${seq++}`, door.client));
      transports.push(t);
      return t;
    }

    async function client(label = 'c'): Promise<RelayClient> {
      const c = new RelayClient({ ...clientOptions(`${name}-${label}-${seq++}`, door.client), transport: await rawTransport() });
      await c.connect();
      return c;
    }

    function lookup(label: string): LookupKeyPair {
      return generateLookupKeyPair(suite, new SeededRandom(`${name}-lkp-${label}-${seq++}`));
    }

    async function messagesIn(c: RelayClient, lkp: LookupKeyPair): Promise<number> {
      return (await c.fetch(lkp)).messages.length;
    }

    it('is one of the relay\'s running doors, on a scheme with a row in the door and transport tables', () => {
      const running = door.relay.doors.find((d) => d.url === door.url);
      expect(running?.port).toBeGreaterThan(0);
      const scheme = new URL(door.url).protocol;
      expect(RELAY_URL_SCHEMES).toContain(scheme);
      expect(Object.keys(DOOR_TABLE)).toContain(scheme);
      expect(Object.keys(TRANSPORT_TABLE)).toContain(scheme);
    });

    it('publishes its signed descriptor with its key', async () => {
      const c = await client();
      const d = await c.connect();
      expect(d.server.signing).toEqual(door.relay.key.publicKey.signing);
      expect(d.server.agreement).toEqual(door.relay.key.publicKey.agreement);
      expect(d.urls.length).toBeGreaterThan(0);
    });

    it('deposits, fetches and deletes only after the acknowledgement', async () => {
      const c = await client();
      const owner = lookup('owner');
      await c.register(owner);
      const tag = mailboxTagOf(suite, owner.publicKey);
      const envelope = utf8('hello through the relay');
      const dep = await c.deposit(tag, envelope, { stampBits: STAMP_BITS });
      expect(dep.duplicate).toBe(false);
      expect(dep.id).toEqual(messageIdOf(suite, tag, envelope));
      const first = await c.fetch(owner);
      expect(first.messages.map((m) => m.envelope)).toEqual([envelope]);
      // Not acknowledged yet: still there.
      const again = await c.fetch(owner);
      expect(again.messages).toHaveLength(1);
      const acked = await c.fetch(owner, { acks: [dep.id] });
      expect(acked.messages).toHaveLength(0);
    });

    it('stores an identical deposit once', async () => {
      const c = await client();
      const owner = lookup('dedup');
      await c.register(owner);
      const tag = mailboxTagOf(suite, owner.publicKey);
      const a = await c.deposit(tag, utf8('same'), { stampBits: STAMP_BITS });
      const b = await c.deposit(tag, utf8('same'), { stampBits: STAMP_BITS });
      expect(a.duplicate).toBe(false);
      expect(b.duplicate).toBe(true);
      expect(await messagesIn(c, owner)).toBe(1);
      // Acknowledged, then deposited again (a gateway retrying): still not delivered twice.
      await c.fetch(owner, { acks: [a.id] });
      expect((await c.deposit(tag, utf8('same'), { stampBits: STAMP_BITS })).duplicate).toBe(true);
      expect(await messagesIn(c, owner)).toBe(0);
    });

    it('asks a stamp of unknown senders and none of senders with the pass', async () => {
      const c = await client();
      const owner = lookup('pass');
      const passKey = new SeededRandom(`${name}-pass`).bytes(32);
      await c.register(owner, passKey);
      const tag = mailboxTagOf(suite, owner.publicKey);
      expect(await refusal(c.deposit(tag, utf8('no stamp')))).toBe('stamp-required');
      expect((await c.deposit(tag, utf8('with pass'), { passKey })).duplicate).toBe(false);
      expect(await refusal(c.deposit(tag, utf8('wrong pass'), { passKey: new Uint8Array(32) }))).toBe('unauthorized');
      // A stamp of the wrong difficulty: mint with 0 bits by hand is likely to fail the 8-bit check.
      const weak = await refusal(c.deposit(tag, utf8('weak stamp 1'), { stampBits: 1 }))
        .catch(() => 'accepted');
      expect(['bad-stamp', 'accepted']).toContain(weak);
      const ids = (await c.fetch(owner)).messages.map((m) => m.envelope);
      expect(ids.map((b) => new TextDecoder().decode(b))).toContain('with pass');
      expect(ids.map((b) => new TextDecoder().decode(b))).not.toContain('no stamp');
    });

    it('refuses deposits and fetches for an unknown mailbox, storing nothing', async () => {
      const c = await client();
      const stranger = lookup('stranger');
      const tag = mailboxTagOf(suite, stranger.publicKey);
      expect(await refusal(c.deposit(tag, utf8('to nobody'), { stampBits: STAMP_BITS }))).toBe('unknown-mailbox');
      expect(await refusal(c.fetch(stranger))).toBe('unknown-mailbox');
      expect(door.relay.core && (await refusal(c.lookupPresence(tag)))).toBe('not-found');
    });

    it('refuses a replayed fetch and answers it with nothing', async () => {
      const t = await rawTransport();
      const c = new RelayClient({ ...clientOptions(`${name}-replay`, door.client), transport: t });
      await c.connect();
      const owner = lookup('replay');
      await c.register(owner);
      await c.deposit(mailboxTagOf(suite, owner.publicKey), utf8('secret mail'), { stampBits: STAMP_BITS });
      const plaintext = encodeSignedRequest(suite, c.serverKey.signing, owner.secretKey,
        { kind: 'fetch', counter: c.nextCounter(), limit: 10, acks: [] });
      const random = new SeededRandom(`${name}-replay-seal`);
      const first = sealRequest(suite, random, c.serverKey, plaintext);
      const ok1 = openResponse(suite, first, await t.exchange(first.frame, first.replyId));
      expect(ok1.ok && ok1.value.type === 'sealed' && ok1.value.plaintext[0]).toBe(0);
      // The very same frame again (an eavesdropper's replay), and the same request freshly sealed.
      const replay = decodeResponseFrame(await t.exchange(first.frame, first.replyId));
      expect(replay.ok && replay.value.type).toBe('sealed');
      const resealed = sealRequest(suite, random, c.serverKey, plaintext);
      const r2 = openResponse(suite, resealed, await t.exchange(resealed.frame, resealed.replyId));
      expect(r2.ok && r2.value.type === 'sealed' && r2.value.plaintext[0]).toBe(6); // status 6: replayed
    });

    it('refuses bad and missing signatures without storing anything', async () => {
      const c = await client();
      const owner = lookup('badsig');
      const good = encodeSignedRequest(suite, c.serverKey.signing, owner.secretKey, { kind: 'register', counter: c.nextCounter() });
      const forged = good.slice();
      forged[forged.length - 1]! ^= 1;
      expect(await refusal(c.send('register', forged))).toBe('bad-signature');
      // Missing: malformed, or a zero signature on doors whose client pads requests (UDP).
      expect(['malformed', 'bad-signature']).toContain(await refusal(c.send('register', good.slice(0, good.length - 64))));
      // Signed for another relay: the signature binds the relay key.
      const other = generateServerKeyPair(suite, new SeededRandom('other-relay'));
      const elsewhere = encodeSignedRequest(suite, other.publicKey.signing, owner.secretKey, { kind: 'register', counter: c.nextCounter() });
      expect(await refusal(c.send('register', elsewhere))).toBe('bad-signature');
      // Nothing was registered.
      expect(await refusal(c.fetch(owner))).toBe('unknown-mailbox');
    });

    it('refuses a request sealed to another server key, and a broken seal', async () => {
      const t = await rawTransport();
      const other = generateServerKeyPair(suite, new SeededRandom(`${name}-wrong-key`));
      const wrong = new RelayClient({ ...clientOptions(`${name}-wrong`, door.client), transport: t, server: other.publicKey });
      expect(await refusal(wrong.catalog())).toBe('wrong-server');
      // Right server id, wrong agreement key: the seal does not open.
      const mixed = new RelayClient({
        ...clientOptions(`${name}-mixed`, door.client), transport: t,
        server: { role: 'server', signing: door.relay.key.publicKey.signing, agreement: other.publicKey.agreement },
      });
      const sealed = sealRequest(suite, new SeededRandom('mixed'), { ...mixed.serverKey }, encodeRequest({ kind: 'catalog-list' }));
      const frame = sealed.frame.slice();
      frame.set(door.relay.core.serverId, 1);
      const answer = decodeResponseFrame(await t.exchange(frame, sealed.replyId));
      expect(answer.ok && answer.value.type === 'refusal' && answer.value.code).toBe('bad-seal');
      // A flipped ciphertext byte.
      const honest = sealRequest(suite, new SeededRandom('flip'), door.relay.key.publicKey, encodeRequest({ kind: 'catalog-list' }));
      const flipped = honest.frame.slice();
      flipped[flipped.length - 3]! ^= 0x40;
      const a2 = decodeResponseFrame(await t.exchange(flipped, honest.replyId));
      expect(a2.ok && a2.value.type === 'refusal' && a2.value.code).toBe('bad-seal');
    });

    it('refuses malformed and oversized frames with a clear error', async () => {
      const t = await rawTransport();
      // 50 bytes: shorter than a sealed header and tag, and long enough that a datagram door may answer it.
      const junk = new Uint8Array(50).fill(7);
      junk[0] = 0x01;
      const a = decodeResponseFrame(await t.exchange(junk, junk.slice(9, 17)));
      expect(a.ok && a.value.type === 'refusal' && a.value.code).toBe('malformed');
      const big = new Uint8Array(door.oversizeBytes);
      big[0] = 0x01;
      const b = decodeResponseFrame(await t.exchange(big, big.slice(9, 17)));
      expect(b.ok && b.value.type === 'refusal' && b.value.code).toBe('too-large');
      // A sealed request whose plaintext is nonsense: a sealed 'malformed' answer.
      const c = await client();
      expect(await refusal(c.send('catalog-list', new Uint8Array([0x7f, 0, 0])))).toBe('malformed');
    });

    it('lets only the mailbox owner publish or withdraw its presence', async () => {
      const c = await client();
      const owner = lookup('presence');
      await c.register(owner);
      const tag = mailboxTagOf(suite, owner.publicKey);
      await c.publishPresence(owner, utf8('sealed address for contacts'), 600);
      const seen = await c.lookupPresence(tag);
      expect(seen.blob).toEqual(utf8('sealed address for contacts'));
      // Someone else's key can only ever name its own (unregistered) mailbox.
      const intruder = lookup('intruder');
      expect(await refusal(c.publishPresence(intruder, utf8('fake'), 600))).toBe('unknown-mailbox');
      expect((await c.lookupPresence(tag)).blob).toEqual(utf8('sealed address for contacts'));
      await c.withdrawPresence(owner);
      expect(await refusal(c.lookupPresence(tag))).toBe('not-found');
    });

    it('keeps emergency broadcasts, verified, and rate-limits their authors', async () => {
      const c = await client();
      const author = new SeededRandom(`${name}-author`).bytes(32);
      const before = await c.listBroadcasts(0);
      const posted = await c.postBroadcast(author, 'Water at the school, 18:00', STAMP_BITS);
      const after = await c.listBroadcasts(0);
      expect(after.length).toBe(before.length + 1);
      const mine = after.find((b) => b.seq === posted.seq)!;
      expect(mine.broadcast.text).toBe('Water at the school, 18:00');
      expect(await refusal(c.postBroadcast(author, 'again, too soon', STAMP_BITS))).toBe('rate-limited');
      expect(await refusal(c.postBroadcast(new SeededRandom(`${name}-a2`).bytes(32), 'no stamp'))).toBe('stamp-required');
    });

    it('lists, searches, picks at random and withdraws directory entries', async () => {
      const c = await client();
      const seed = new SeededRandom(`${name}-entry`).bytes(32);
      await c.publishEntry(seed, { ttlSec: 3600, description: 'Jazz and chess, evenings', reach: utf8('card:abc') }, STAMP_BITS);
      const found = await c.searchEntries('chess');
      expect(found.map((e) => e.description)).toContain('Jazz and chess, evenings');
      expect((await c.randomEntries(5)).length).toBeGreaterThan(0);
      expect(await refusal(c.publishEntry(seed, { ttlSec: 3600, description: 'x', reach: utf8('y') }))).toBe('stamp-required');
      await c.withdrawEntry(seed);
      expect((await c.searchEntries('chess')).map((e) => e.description)).not.toContain('Jazz and chess, evenings');
      // The withdrawn key cannot come back, even with a fresh record.
      expect(await refusal(c.publishEntry(seed, { ttlSec: 60, description: 'back', reach: utf8('z') }, STAMP_BITS))).toBe('withdrawn');
      // A record signed with another key than it names is refused.
      const forged = createDirectoryEntry(suite, seed, c.serverKey.signing,
        { createdSec: Math.floor(Date.now() / 1000), ttlSec: 60, description: 'forged', reach: utf8('f') }).bytes.slice();
      forged[forged.length - 1]! ^= 1;
      expect(await refusal(c.send('directory-publish', encodeRequest({ kind: 'directory-publish', record: forged })))).toBe('bad-signature');
    });

    it('exchanges catalog entries and refuses forged ones', async () => {
      const c = await client();
      const peer = generateServerKeyPair(suite, new SeededRandom(`${name}-peer`));
      const now = Math.floor(systemClock.now() / 1000);
      const d = createServerDescriptor(suite, peer, ['https://peer.example:8443'], now, now + 3600);
      const forged = d.bytes.slice();
      forged[forged.length - 10]! ^= 1;
      expect(await c.announce([forged])).toBe(0);
      expect(await c.announce([d.bytes])).toBe(1);
      const catalog = await c.catalog();
      expect(catalog[0]!.server.signing).toEqual(door.relay.key.publicKey.signing);
      expect(catalog.map((x) => x.urls[0])).toContain('https://peer.example:8443');
    });

    it('says nothing about the mailbox in refusals and keeps serving', async () => {
      const c = await client();
      const owner = lookup('quiet');
      const tag = mailboxTagOf(suite, owner.publicKey);
      const secret = 'do-not-echo-this-envelope';
      try {
        await c.deposit(tag, utf8(secret), { stampBits: STAMP_BITS });
      } catch (e) {
        expect(String((e as Error).message)).not.toContain(secret);
        expect(String((e as Error).message)).not.toContain(Buffer.from(owner.publicKey).toString('hex'));
      }
      expect(senderPassOf(suite, new Uint8Array(32), tag, tag).length).toBe(16);
      expect((await c.catalog()).length).toBeGreaterThan(0);
    });
  });
}
