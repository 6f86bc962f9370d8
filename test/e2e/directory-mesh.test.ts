/**
 * A directory answer over the mesh: two meow-node processes linked over
 * loopback UDP find each other through a real relay (publish, browse), then
 * the relay goes away; Bob's answer to the entry travels over the mesh to
 * the node the entry's card names (mesh://), sealed to the invitation, and
 * Alice's agent makes the contact. Withdrawing the entry from the relay
 * fails while it is down: the contact is made all the same, the entry leaves
 * Alice's state. Then they chat over the mesh.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContactView, HistoryResponse } from '../../seams/local-api.ts';
import { api, eventually, type NodeProcess, ready, type RelayProcess, startNode, startRelay, stop, stopRelay } from './support.ts';

const root = mkdtempSync(join(tmpdir(), 'meow-e2e-directory-mesh-'));
const relayPort = 21940;
const relayUrl = `http://127.0.0.1:${relayPort}`;
const alice = startNode(root, 'alice', 21911, 21912, 21931, { gateway: { relays: [relayUrl] } });
const bob = startNode(root, 'bob', 21912, 21911, 21932, { gateway: { relays: [relayUrl] } });
let relay: RelayProcess | undefined;
afterAll(async () => {
  await stop(alice);
  await stop(bob);
  if (relay) await stopRelay(relay);
  rmSync(root, { recursive: true, force: true });
});

const contacts = async (n: NodeProcess): Promise<ContactView[]> => (await api<{ contacts: ContactView[] }>(n, 'GET', '/v1/contacts')).json.contacts;

describe('directory answer over the mesh', () => {
  it('the answer reaches the publisher with the relay down; the contact is made; they chat', async () => {
    relay = await startRelay(join(root, 'relay'), relayPort, 8);
    await ready(alice);
    await ready(bob);
    expect((await api(alice, 'POST', '/v1/agent/init', { password: 'alice pass' })).status).toBe(201);
    expect((await api(bob, 'POST', '/v1/agent/init', { password: 'bob pass' })).status).toBe(201);
    expect((await api(alice, 'POST', '/v1/directory/publish', { description: 'night owls' })).status).toBe(200);
    const found = await eventually(async () => (await api<{ entries: { id: string }[] }>(bob, 'GET', '/v1/directory')).json.entries[0], 30_000, 'the entry');
    await stopRelay(relay);

    const contacted = await api<{ contactId: string }>(bob, 'POST', '/v1/directory/contact', { entry: found.id });
    expect(contacted.status).toBe(200);
    const made = await eventually(async () => (await contacts(alice)).find((c) => c.name === 'directory: night owls' && c.status === 'active'), 120_000, 'alice\'s contact');
    const bobSide = (await contacts(bob)).find((c) => c.id === contacted.json.contactId)!;
    expect(made.fingerprint).toBe(bobSide.fingerprint);
    // The entry left Alice's state (GET /v1/directory would browse the relay, which is down): nothing to withdraw.
    const withdraw = await api<{ error: { message: string } }>(alice, 'POST', '/v1/directory/withdraw');
    expect(withdraw.status).toBe(404);
    expect(withdraw.json.error.message).toBe(`nothing published on ${relayUrl}`);

    expect((await api(alice, 'POST', '/v1/messages', { contactId: made.id, text: 'hoot' })).status).toBe(201);
    await eventually(async () => {
      const h = (await api<HistoryResponse>(bob, 'GET', `/v1/contacts/${bobSide.id}/messages`)).json.messages;
      return h.some((m) => m.direction === 'in' && m.text === 'hoot') ? true : undefined;
    }, 60_000, 'bob reads alice over the mesh');
  }, 300_000);
});
