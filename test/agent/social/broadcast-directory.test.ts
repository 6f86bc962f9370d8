/** Broadcasts and the directory through the real relay core (in-memory SQLite) and the real relay client. */
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes, utf8 } from '../../../protocol/codec/bytes.ts';
import { sealBroadcast } from '../../../protocol/envelope/broadcast.ts';
import { generateServerKeyPair } from '../../../protocol/keys/keys.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { createBroadcast } from '../../../protocol/server/records.ts';
import { openStore } from '../../../node-runtime/store/index.ts';
import { RelayCore } from '../../../gateway/server/core/relay-core.ts';
import { RelayDb } from '../../../gateway/server/store/relay-db.ts';
import { RelayClient } from '../../../gateway/client/relay-client.ts';
import type { RelayTransport } from '../../../gateway/client/transport.ts';
import { relaySocialPort } from '../../../apps/meow-node/local-api/social-routes.ts';
import {
  RELAY_BROADCAST_LIFE_MS, myBroadcastKey, pollRelayBroadcasts, receiveMeshBroadcast, receiveRelayBroadcast, sendBroadcast, trustBroadcaster,
} from '../../../agent/social/broadcasts.ts';
import { browseDirectory, contactEntry, publishEntry, randomEntry, withdrawEntry } from '../../../agent/social/directory.ts';
import { TEST_LIMITS } from '../../gateway/relay/support.ts';
import { suite, World } from './world.ts';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

function relayFor(world: World) {
  const clock = { now: () => world.clock.now(), setTimer: () => ({ cancel: () => undefined }) };
  const random = new SeededRandom('relay');
  const store = openStore({ path: ':memory:', clock, random });
  const db = new RelayDb(':memory:');
  closers.push(() => {
    db.close();
    store.close();
  });
  const key = generateServerKeyPair(suite, random);
  const core = new RelayCore({ suite, random, clock, key, urls: ['http://test'], store, db, limits: TEST_LIMITS });
  const port = (name: string) => {
    const transport: RelayTransport = { url: 'direct', maxRequestBytes: 1 << 20, exchange: (f) => core.handle(f, { source: name, maxResponseBytes: 1 << 20 }), close: async () => undefined };
    return relaySocialPort(new RelayClient({ suite, random: new SeededRandom(`client-${name}`), clock, transport, server: key.publicKey }), 'http://test', { broadcastBits: 8, directoryBits: 8 });
  };
  return { key, port };
}

describe('emergency broadcast (whitepaper 1.7)', () => {
  it('reaches everyone on a relay and on the mesh, apart from conversations; replays refused', async () => {
    const world = new World();
    const alice = world.person('alice');
    const bob = world.person('bob');
    const relay = relayFor(world);
    trustBroadcaster(bob.state.broadcasts, Buffer.from(myBroadcastKey(alice.env, alice.state.broadcasts)).toString('hex'), 'Alice');
    const sent = await sendBroadcast(alice.env, alice.state.broadcasts, { node: alice.node, relays: [relay.port('alice')] }, 'bridge is down');
    expect(sent).toEqual({ mesh: true, relays: [{ url: 'http://test', ok: true }] });
    await world.flush();
    expect(bob.log).toEqual(['broadcast ok']);
    expect(await pollRelayBroadcasts(bob.env, bob.state.broadcasts, relay.port('bob'))).toEqual({ accepted: 1, refused: 0 });
    expect(bob.state.broadcasts.received.map((b) => [b.source, b.text, b.authorName])).toEqual([
      ['mesh', 'bridge is down', 'Alice'], ['http://test', 'bridge is down', 'Alice'],
    ]);
    expect(bob.state.groups.groups).toEqual([]);
    // The same mesh envelope again: a replay.
    const again = sealBroadcast(suite, Buffer.from(alice.state.broadcasts.authorSeed, 'hex'), 'x', world.clock.now() + 1000);
    expect(receiveMeshBroadcast(bob.env, bob.state.broadcasts, again)).toMatchObject({ ok: true });
    expect(receiveMeshBroadcast(bob.env, bob.state.broadcasts, again)).toMatchObject({ ok: false, code: 'replay' });
  });

  it('checks the signature, trust and expiry before keeping anything', async () => {
    const world = new World();
    const bob = world.person('bob');
    const relaySigning = new Uint8Array(32).fill(3);
    const seed = new Uint8Array(32).fill(9);
    const now = world.clock.now();
    const forged = createBroadcast(suite, seed, relaySigning, Math.floor(now / 1000), 'evacuate').bytes.slice();
    forged[40]! ^= 1;
    expect(receiveRelayBroadcast(bob.env, bob.state.broadcasts, 'r', relaySigning, forged)).toMatchObject({ ok: false, code: 'bad-signature' });
    const otherRelay = createBroadcast(suite, seed, new Uint8Array(32).fill(4), Math.floor(now / 1000), 'x').bytes;
    expect(receiveRelayBroadcast(bob.env, bob.state.broadcasts, 'r', relaySigning, otherRelay)).toMatchObject({ ok: false, code: 'bad-signature' });
    const old = createBroadcast(suite, seed, relaySigning, Math.floor((now - RELAY_BROADCAST_LIFE_MS) / 1000) - 1, 'old').bytes;
    expect(receiveRelayBroadcast(bob.env, bob.state.broadcasts, 'r', relaySigning, old)).toMatchObject({ ok: false, code: 'expired' });
    const untrusted = sealBroadcast(suite, seed, 'mesh', now + 60_000);
    expect(receiveMeshBroadcast(bob.env, bob.state.broadcasts, untrusted)).toMatchObject({ ok: false, code: 'unknown-sender' });
    trustBroadcaster(bob.state.broadcasts, Buffer.from(suite.ed25519PublicKey(seed)).toString('hex'), 'S');
    const expired = sealBroadcast(suite, seed, 'late', now - 1000);
    expect(receiveMeshBroadcast(bob.env, bob.state.broadcasts, expired)).toMatchObject({ ok: false, code: 'expired' });
    const tampered = concatBytes(untrusted.subarray(0, 13), utf8('MESH'), untrusted.subarray(17));
    expect(receiveMeshBroadcast(bob.env, bob.state.broadcasts, tampered)).toMatchObject({ ok: false, code: 'bad-signature' });
    expect(bob.state.broadcasts.received).toEqual([]);
    expect(bob.state.broadcasts.seen).toEqual([]);
  });
});

describe('"free for chat" directory (whitepaper 1.9)', () => {
  it('publish, browse, pick at random, start a conversation with fresh keys, withdraw', async () => {
    const world = new World();
    const alice = world.person('alice');
    const bob = world.person('bob');
    const relay = relayFor(world);
    const entry = await publishEntry(alice.env, alice.state.directory, relay.port('alice'), alice.cards, 'chess and bread', 3600);
    expect(alice.invites.size).toBe(1);

    const found = await browseDirectory(bob.env, bob.state.directory, relay.port('bob'), 'chess');
    expect(found.map((f) => f.description)).toEqual(['chess and bread']);
    expect(await browseDirectory(alice.env, alice.state.directory, relay.port('alice'), 'chess')).toEqual([]); // not my own
    const picked = await randomEntry(bob.env, bob.state.directory, relay.port('bob'));
    expect(picked?.id).toBe(found[0]!.id);

    let delivered: Uint8Array | undefined;
    const made = await contactEntry(bob.state.directory, bob.cards, found[0]!.id, async (_invite, answer) => {
      delivered = answer;
    });
    const done = await alice.cards.completeInvite(entry.inviteId, delivered!, 'directory');
    expect(bob.contacts.get(made.contactId)).toBeDefined();
    expect(alice.contacts.get(done.contactId)).toBeDefined();

    await withdrawEntry(alice.state.directory, relay.port('alice'), alice.cards);
    expect(await browseDirectory(bob.env, bob.state.directory, relay.port('bob'), '')).toEqual([]);
    await expect(contactEntry(bob.state.directory, bob.cards, 'ffffffffffffffff', async () => undefined)).rejects.toMatchObject({ code: 'unknown-entry' });
    await expect(withdrawEntry(alice.state.directory, relay.port('alice'), alice.cards)).rejects.toMatchObject({ code: 'not-published' });
  });
});
