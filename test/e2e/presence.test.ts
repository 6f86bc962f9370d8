/**
 * Presence and direct messaging (whitepaper 1.2.3) between two meow-node
 * processes on loopback, with a real meow-relay process:
 *  - both choose the 'direct' policy; each node publishes its direct
 *    address sealed for the contact on the relay, in its poll pass;
 *  - a message goes straight to the contact's node (state 'sent', via
 *    'direct'), and the receipt comes back the same way ('delivered');
 *  - with the relay stopped, both still exchange messages directly;
 *  - an envelope replayed to the direct endpoint is answered 'duplicate'
 *    (exact answer bytes) and shown once;
 *  - when the contact's direct address stops answering (ICMP port
 *    unreachable), the message falls back to the relay ('deposited', via
 *    'relay') and arrives.
 * Bob advertises a small UDP forwarder in front of his endpoint, so the test
 * sees the datagrams contacts sent him and can cut his direct path.
 */
import { createHash } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContactView, ImportCardResponse, InvitationView, MessageView } from '../../seams/local-api.ts';
import { api, eventually, history, type NodeProcess, ready, type RelayProcess, restart, startRelay, stop, stopRelay } from './support.ts';

const root = mkdtempSync(join(tmpdir(), 'meow-e2e-presence-'));
const relayPort = 20640;
const BOB_ENDPOINT = 20632;
const BOB_FORWARDER = 20633;

function startNode(name: string, udpPort: number, peerPort: number, statusPort: number, direct: Record<string, unknown>): NodeProcess {
  writeFileSync(join(root, `${name}.json`), JSON.stringify({
    dataDir: join(root, name), region: 'none', log: { level: 'warn' }, status: { port: statusPort },
    // The mesh peer is a port nobody listens on: nothing crosses between the nodes but the relay and the direct path.
    links: [{ type: 'udp', port: udpPort, bindAddress: '127.0.0.1', peers: [`127.0.0.1:${peerPort}`], mdns: false }],
    direct,
  }));
  const node = { dir: join(root, name), statusPort, stderr: '' } as NodeProcess;
  restart(root, node, name);
  return node;
}

/** Forwards datagrams from contacts to Bob's endpoint and his answers back, keeping a copy of what came in. */
async function startForwarder(): Promise<{ seen: Buffer[]; socket: Socket; close(): Promise<void> }> {
  const front = createSocket('udp4');
  const back = createSocket('udp4');
  const seen: Buffer[] = [];
  let client: RemoteInfo | undefined;
  front.on('message', (msg, from) => {
    seen.push(Buffer.from(msg));
    client = from;
    back.send(msg, BOB_ENDPOINT, '127.0.0.1');
  });
  back.on('message', (msg) => {
    if (client) front.send(msg, client.port, client.address);
  });
  await new Promise<void>((resolve) => front.bind(BOB_FORWARDER, '127.0.0.1', () => resolve()));
  await new Promise<void>((resolve) => back.bind(0, '127.0.0.1', () => resolve()));
  return {
    seen, socket: front,
    close: async () => {
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await new Promise<void>((resolve) => back.close(() => resolve()));
    },
  };
}

const alice = startNode('alice', 20611, 20619, 20621, { host: '127.0.0.1', port: 20631 });
const bob = startNode('bob', 20612, 20620, 20622, { host: '127.0.0.1', port: BOB_ENDPOINT, advertise: `udp://127.0.0.1:${BOB_FORWARDER}` });
let relay: RelayProcess | undefined;
let forwarder: Awaited<ReturnType<typeof startForwarder>> | undefined;
afterAll(async () => {
  await stop(alice);
  await stop(bob);
  if (relay) await stopRelay(relay);
  await forwarder?.close().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

async function message(node: NodeProcess, contactId: string, text: string, want: (m: MessageView) => boolean, what: string): Promise<MessageView> {
  return eventually(async () => {
    const m = (await history(node, contactId)).find((x) => x.text === text);
    return m && want(m) ? m : undefined;
  }, 90_000, what).catch(async (e: unknown) => {
    console.log(JSON.stringify(await history(node, contactId)), alice.stderr, bob.stderr, relay?.out);
    throw e;
  });
}

/** One datagram to `port` and the first answer (or undefined after 3 s). */
async function exchange(port: number, datagram: Buffer): Promise<Buffer | undefined> {
  const s = createSocket('udp4');
  try {
    return await new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 3_000);
      s.on('message', (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      s.send(datagram, port, '127.0.0.1');
    });
  } finally {
    s.close();
  }
}

describe('presence and direct messaging', () => {
  it('discover each other by presence, talk directly with the relay stopped, refuse a replay, fall back to the relay', async () => {
    relay = await startRelay(join(root, 'relay'), relayPort, 8);
    forwarder = await startForwarder();
    await ready(alice);
    await ready(bob);
    expect(await api(alice, 'POST', '/v1/agent/init', { password: 'alice pass' })).toMatchObject({ status: 201 });
    expect(await api(bob, 'POST', '/v1/agent/init', { password: 'bob pass' })).toMatchObject({ status: 201 });
    const invite = await api<InvitationView>(alice, 'POST', '/v1/invitations', { name: 'bob', relays: [relay.url] });
    const answered = await api<ImportCardResponse>(bob, 'POST', '/v1/cards/import', { card: invite.json.card.armored, name: 'alice', relays: [relay.url] });
    const done = await api<ImportCardResponse>(alice, 'POST', '/v1/cards/import', { card: answered.json.answer!.card });
    const aliceBob: ContactView = done.json.contact;
    const bobAlice: ContactView = answered.json.contact;
    // "Preferred direct communication with Julian, fallback to my own server" (whitepaper 1.2.4).
    for (const [node, id] of [[alice, aliceBob.id], [bob, bobAlice.id]] as const) {
      const patched = await api<ContactView>(node, 'PATCH', `/v1/contacts/${id}`, { policy: { mode: 'direct', relays: [relay.url] } });
      expect(patched.json.policy).toEqual({ mode: 'direct', relays: [relay.url] });
    }
    // A poll pass publishes each one's presence (the policy change handed it to the node).
    for (const node of [alice, bob]) expect((await api(node, 'POST', '/v1/mailboxes/fetch')).status).toBe(200);

    await api(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text: 'hello direct' });
    const sent = await message(alice, aliceBob.id, 'hello direct', (m) => m.state === 'sent' || m.state === 'delivered', 'sent directly');
    expect(sent.via).toBe('direct');
    await message(bob, bobAlice.id, 'hello direct', () => true, 'bob has it');
    await message(alice, aliceBob.id, 'hello direct', (m) => m.state === 'delivered', 'the receipt came back');
    expect(forwarder.seen.length).toBeGreaterThanOrEqual(1);

    // The relay goes away: the two nodes still reach each other.
    await stopRelay(relay);
    await api(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text: 'relay is down' });
    expect((await message(alice, aliceBob.id, 'relay is down', (m) => m.state === 'sent' || m.state === 'delivered', 'sent without relay')).via).toBe('direct');
    await message(bob, bobAlice.id, 'relay is down', () => true, 'bob has it without relay');
    await api(bob, 'POST', '/v1/messages', { contactId: bobAlice.id, text: 'back without relay' });
    expect((await message(bob, bobAlice.id, 'back without relay', (m) => m.state === 'sent' || m.state === 'delivered', 'bob sent directly')).via).toBe('direct');
    await message(alice, aliceBob.id, 'back without relay', () => true, 'alice has it without relay');

    // A replay of the first datagram Bob received: answered "duplicate" with that envelope's id, shown once.
    const first = forwarder.seen[0]!;
    expect(first[0]).toBe(0x01);
    const answer = await exchange(BOB_ENDPOINT, first);
    const id = createHash('sha256').update(first.subarray(1)).digest().subarray(0, 16);
    expect(answer).toEqual(Buffer.concat([Buffer.from([0x02, 0x01]), id]));
    expect((await history(bob, bobAlice.id)).filter((m) => m.text === 'hello direct')).toHaveLength(1);

    // Bob's direct path breaks (nothing listens at his advertised address): Alice's message goes by the relay.
    relay = await startRelay(join(root, 'relay'), relayPort, 8);
    await forwarder.close();
    forwarder = undefined;
    await api(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text: 'by the relay' });
    const fallback = await message(alice, aliceBob.id, 'by the relay', (m) => m.state === 'deposited' || m.state === 'delivered', 'deposited on the relay');
    expect(fallback.via).toBe('relay');
    await api(bob, 'POST', '/v1/mailboxes/fetch');
    await message(bob, bobAlice.id, 'by the relay', () => true, 'bob fetched it from the relay');
  }, 300_000);
});
