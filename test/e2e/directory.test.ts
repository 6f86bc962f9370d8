/**
 * "Free for chat" (whitepaper 1.9) between two meow-node processes that share
 * no mesh link (each node's only UDP peer is a port nobody listens on): only
 * a real meow-relay process joins them. Alice publishes an entry, Bob browses
 * it and starts a conversation from it; his answer card is dropped, sealed,
 * into the mailbox the entry's invitation names on the relay; Alice's node
 * fetches it and her agent completes the contact, and the entry is gone.
 * The entry reveals nothing else: its invitation is a fresh identity, unlike
 * the one Alice shows her other contact. Then they chat both ways. An
 * emergency broadcast crosses the same relay and is shown apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCard } from '../../protocol/card/decode.ts';
import { fromHex } from '../../protocol/codec/bytes.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import type { ContactView, HistoryResponse, InvitationView, MessageView } from '../../seams/local-api.ts';
import { api, eventually, ready, type NodeProcess, type RelayProcess, startNode, startRelay, stop, stopRelay } from './support.ts';

const suite = createNodeSuite();
const root = mkdtempSync(join(tmpdir(), 'meow-e2e-directory-'));
const relayPort = 21540;
const relayUrl = `http://127.0.0.1:${relayPort}`;
// Peers 21519/21520: nobody listens there, so nothing crosses between the nodes but the relay.
const alice = startNode(root, 'alice', 21511, 21519, 21531, { gateway: { relays: [relayUrl] } });
const bob = startNode(root, 'bob', 21512, 21520, 21532, { gateway: { relays: [relayUrl] } });
let relay: RelayProcess | undefined;
afterAll(async () => {
  await stop(alice);
  await stop(bob);
  if (relay) await stopRelay(relay);
  rmSync(root, { recursive: true, force: true });
});

interface Entry { id: string; description: string; card: string }

const contacts = async (node: NodeProcess): Promise<ContactView[]> => (await api<{ contacts: ContactView[] }>(node, 'GET', '/v1/contacts')).json.contacts;
const history = async (node: NodeProcess, id: string): Promise<readonly MessageView[]> =>
  (await api<HistoryResponse>(node, 'GET', `/v1/contacts/${id}/messages?limit=100`)).json.messages;

describe('directory and broadcast through a relay, no mesh link', () => {
  it('publish, browse, contact: the answer reaches the publisher, the contact is made with fresh keys, they chat', async () => {
    relay = await startRelay(join(root, 'relay'), relayPort, 8);
    await ready(alice);
    await ready(bob);
    // init answers like unlock: the agent's state, with the new identity (docs/API.md).
    const init = await api<{ state: string; identity: { fingerprint: string } }>(alice, 'POST', '/v1/agent/init', { password: 'alice pass' });
    expect(init.status).toBe(201);
    expect(init.json.state).toBe('unlocked');
    expect(init.json.identity.fingerprint).toMatch(/\S/);
    expect((await api(bob, 'POST', '/v1/agent/init', { password: 'bob pass' })).status).toBe(201);
    // Alice's other contact: the entry must not show the identity she gave it.
    const other = await api<InvitationView>(alice, 'POST', '/v1/invitations', { name: 'carol', relays: [relayUrl] });
    expect(other.status).toBe(201);

    const published = await api(alice, 'POST', '/v1/directory/publish', { description: 'chess and bread', ttlSeconds: 3600 });
    expect(published.status).toBe(200);
    const found = await eventually(async () => {
      const r = await api<{ entries: Entry[] }>(bob, 'GET', '/v1/directory?query=chess');
      return r.status === 200 && r.json.entries.length === 1 ? r.json.entries[0]! : undefined;
    }, 30_000, 'bob finds the entry');
    expect(found.description).toBe('chess and bread');
    const card = decodeCard(suite, fromHex(found.card)!);
    const carolCard = decodeCard(suite, Buffer.from(other.json.card.card, 'base64'));
    if (!card.ok || !carolCard.ok) throw new Error('cards do not decode');
    expect(card.value.kind).toBe('invite');
    expect(card.value.contactKey.signing).not.toEqual(carolCard.value.contactKey.signing);
    expect(card.value.mailboxId).not.toEqual(carolCard.value.mailboxId);
    expect(card.value.servers.map((s) => s.scheme).sort()).toEqual(['http', 'mesh']);

    // Before browsing, an id is unknown; after, it answers and queues the answer durably.
    expect((await api(bob, 'POST', '/v1/directory/contact', { entry: 'ffffffffffffffff' })).status).toBe(404);
    const contacted = await api<{ contactId: string; description: string }>(bob, 'POST', '/v1/directory/contact', { entry: found.id });
    expect(contacted.status).toBe(200);
    expect(contacted.json.description).toBe('chess and bread');

    // The answer crosses the relay: Alice's agent completes her entry's invitation.
    const made = await eventually(async () => (await contacts(alice)).find((c) => c.name === 'directory: chess and bread' && c.status === 'active'), 180_000, 'alice\'s contact is made');
    const bobSide = (await contacts(bob)).find((c) => c.id === contacted.json.contactId)!;
    expect(made.fingerprint).toBeDefined();
    expect(made.fingerprint).toBe(bobSide.fingerprint);
    expect((await contacts(alice)).find((c) => c.name === 'carol')?.status).toBe('invited');
    // Single use: the entry is withdrawn from the relay and from Alice's state.
    await eventually(async () => ((await api<{ published: unknown[] }>(alice, 'GET', '/v1/directory')).json.published.length === 0 ? true : undefined), 30_000, 'the entry leaves alice\'s state');
    await eventually(async () => ((await api<{ entries: Entry[] }>(bob, 'GET', '/v1/directory')).json.entries.length === 0 ? true : undefined), 30_000, 'the entry leaves the relay');

    // They talk, through the relay only.
    for (const [node, id] of [[alice, made.id], [bob, bobSide.id]] as const) {
      expect((await api(node, 'PATCH', `/v1/contacts/${id}`, { policy: { mode: 'server', relays: [relayUrl] } })).status).toBe(200);
    }
    expect((await api(bob, 'POST', '/v1/messages', { contactId: bobSide.id, text: 'hello from the directory' })).status).toBe(201);
    await eventually(async () => ((await history(alice, made.id)).some((m) => m.text === 'hello from the directory') ? true : undefined), 120_000, 'alice reads bob');
    expect((await api(alice, 'POST', '/v1/messages', { contactId: made.id, text: 'welcome' })).status).toBe(201);
    await eventually(async () => ((await history(bob, bobSide.id)).some((m) => m.text === 'welcome' && m.direction === 'in') ? true : undefined), 120_000, 'bob reads alice');
  }, 420_000);

  it('an emergency broadcast reaches the other node through the relay alone, signature checked, apart from conversations', async () => {
    interface Shown { broadcasts: { text: string; author: string; source: string }[]; relays: { url: string; accepted?: number; error?: string }[] }
    const bobKey = (await api<Shown & { myKey: string }>(bob, 'GET', '/v1/broadcasts')).json.myKey;
    const sent = await api<{ mesh: boolean; relays: { url: string; ok: boolean }[] }>(bob, 'POST', '/v1/broadcasts', { text: 'flood warning: go uphill' });
    expect(sent.status).toBe(200);
    expect(sent.json.relays).toEqual([{ url: relayUrl, ok: true }]);
    const shown = await eventually(async () => {
      const r = (await api<Shown>(alice, 'GET', '/v1/broadcasts')).json;
      return r.broadcasts.length > 0 ? r : undefined;
    }, 60_000, 'alice polls the relay');
    expect(shown.broadcasts).toEqual([expect.objectContaining({ text: 'flood warning: go uphill', author: bobKey, source: relayUrl })]);
    // Polled again: the same record is not shown twice.
    expect((await api<Shown>(alice, 'GET', '/v1/broadcasts')).json.broadcasts).toHaveLength(1);
    // Not a conversation: no contact gained a message.
    for (const c of await contacts(alice)) expect((await history(alice, c.id)).some((m) => m.text.includes('flood warning'))).toBe(false);
  }, 180_000);
});
