/**
 * Two people whose nodes share no mesh link (each node's only UDP peer is a
 * port nobody listens on) chat both ways through a real meow-relay process
 * on loopback: the cards carry the relay URL, each node registers and
 * fetches its user's mailboxes there with Lkp-signed requests, and the
 * sender sees "deposited" (on the relay) then "delivered" (the contact's
 * receipt came back the same way). With the relay down, a message stays
 * queued with the reason; when the relay is back, it goes out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContactView, ImportCardResponse, InvitationView, MessageView } from '../../seams/local-api.ts';
import { api, eventually, history, ready, type RelayProcess, startNode, startRelay, stop, stopRelay } from './support.ts';

const root = mkdtempSync(join(tmpdir(), 'meow-e2e-relay-'));
// Peers 20429/20430: nobody listens there, so nothing crosses between the nodes but the relay.
const alice = startNode(root, 'alice', 20421, 20429, 20431);
const bob = startNode(root, 'bob', 20422, 20430, 20432);
const relayPort = 20440;
let relay: RelayProcess | undefined;
afterAll(async () => {
  await stop(alice);
  await stop(bob);
  if (relay) await stopRelay(relay);
  rmSync(root, { recursive: true, force: true });
});

async function stateOf(node: typeof alice, contactId: string, text: string): Promise<MessageView | undefined> {
  return (await history(node, contactId)).find((m) => m.text === text);
}

describe('two users through a relay', () => {
  it('chat both ways with deposited then delivered, and say why while the relay is down', async () => {
    // A small stamp: the node mints one for every first-contact deposit, as a default relay asks.
    relay = await startRelay(join(root, 'relay'), relayPort, 8);
    await ready(alice);
    await ready(bob);
    expect(await api(alice, 'POST', '/v1/agent/init', { password: 'alice pass' })).toMatchObject({ status: 201 });
    expect(await api(bob, 'POST', '/v1/agent/init', { password: 'bob pass' })).toMatchObject({ status: 201 });

    const invite = await api<InvitationView>(alice, 'POST', '/v1/invitations', { name: 'bob', relays: [relay.url] });
    expect(invite.status).toBe(201);
    const answered = await api<ImportCardResponse>(bob, 'POST', '/v1/cards/import', { card: invite.json.card.armored, name: 'alice', relays: [relay.url] });
    expect(answered.status).toBe(200);
    const done = await api<ImportCardResponse>(alice, 'POST', '/v1/cards/import', { card: answered.json.answer!.card });
    const aliceBob: ContactView = done.json.contact;
    const bobAlice: ContactView = answered.json.contact;
    expect(aliceBob.policy.relays).toEqual([relay.url]);
    // Both choose the server mode: only through the relay (whitepaper 1.2.4).
    for (const [node, id] of [[alice, aliceBob.id], [bob, bobAlice.id]] as const) {
      const patched = await api<ContactView>(node, 'PATCH', `/v1/contacts/${id}`, { policy: { mode: 'server', relays: [relay.url] } });
      expect(patched.json.policy.mode).toBe('server');
    }

    await api(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text: 'hello through the relay' });
    await eventually(async () => ((await stateOf(alice, aliceBob.id, 'hello through the relay'))?.state === 'deposited' ? true : undefined), 20_000, 'deposited on the relay')
      .catch(async (e: unknown) => {
        console.log(JSON.stringify(await history(alice, aliceBob.id)), alice.stderr, relay?.out);
        throw e;
      });
    // Bob's node fetches on its schedule (no on-demand call here).
    await eventually(async () => ((await stateOf(bob, bobAlice.id, 'hello through the relay')) ? true : undefined), 30_000, 'bob fetches it');
    await eventually(async () => ((await stateOf(alice, aliceBob.id, 'hello through the relay'))?.state === 'delivered' ? true : undefined), 30_000, 'alice sees delivered');

    await api(bob, 'POST', '/v1/messages', { contactId: bobAlice.id, text: 'and back' });
    await eventually(async () => ((await stateOf(bob, bobAlice.id, 'and back'))?.state === 'deposited' ? true : undefined), 20_000, 'bob: deposited');
    const fetched = await api<{ fetched: number; relays: { url: string; reachable: boolean }[] }>(alice, 'POST', '/v1/mailboxes/fetch');
    expect(fetched.json.relays).toEqual([expect.objectContaining({ url: relay.url, reachable: true })]);
    await eventually(async () => ((await stateOf(alice, aliceBob.id, 'and back')) ? true : undefined), 10_000, 'alice fetches on demand');
    await eventually(async () => ((await stateOf(bob, bobAlice.id, 'and back'))?.state === 'delivered' ? true : undefined), 30_000, 'bob sees delivered');

    // The relay goes down: the message stays queued and says why.
    await stopRelay(relay);
    await api(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text: 'while it is down' });
    const waiting = await eventually(async () => {
      const m = await stateOf(alice, aliceBob.id, 'while it is down');
      return m?.failure ? m : undefined;
    }, 20_000, 'the reason');
    expect(waiting.state).toBe('queued');
    expect(waiting.failure).toMatch(/^relay http:\/\/127\.0\.0\.1:20440\/? unreachable: /);
    const down = await api<{ relays: { reachable: boolean; error?: string }[] }>(alice, 'POST', '/v1/mailboxes/fetch');
    expect(down.json.relays[0]).toMatchObject({ reachable: false, error: expect.stringMatching(/unreachable/) });

    // Back on the same directory: the queued message goes out on a retry and arrives.
    relay = await startRelay(join(root, 'relay'), relayPort, 8);
    await eventually(async () => ((await stateOf(bob, bobAlice.id, 'while it is down')) ? true : undefined), 60_000, 'bob gets it after the relay came back');
    await eventually(async () => ((await stateOf(alice, aliceBob.id, 'while it is down'))?.state === 'delivered' ? true : undefined), 30_000, 'delivered');
  }, 240_000);
});
