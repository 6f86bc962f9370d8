/**
 * Two people on two meow-node processes (UDP on loopback, region none):
 * cards exchanged as files, a chat both ways through the local API with
 * delivery receipts, then one node killed with -9 right after a send was
 * answered "queued": after a restart and unlock, nothing is lost.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContactView, ImportCardResponse, InvitationView, MessageView } from '../../seams/local-api.ts';
import { api, eventually, history, kill9, ready, restart, startNode, stop } from './support.ts';

const root = mkdtempSync(join(tmpdir(), 'meow-e2e-'));
const alice = startNode(root, 'alice', 20401, 20402, 20411);
const bob = startNode(root, 'bob', 20402, 20401, 20412);
afterAll(async () => {
  await stop(alice);
  await stop(bob);
  rmSync(root, { recursive: true, force: true });
});

describe('two users on two nodes', () => {
  it('exchange cards as files, chat both ways, and lose nothing when a node is killed -9', async () => {
    await ready(alice);
    await ready(bob);
    expect((await api(alice, 'POST', '/v1/agent/init', { password: 'alice pass' })).status).toBe(201);
    expect((await api(bob, 'POST', '/v1/agent/init', { password: 'bob pass' })).status).toBe(201);

    const invite = await api<InvitationView>(alice, 'POST', '/v1/invitations', { name: 'bob' });
    expect(invite.status).toBe(201);
    writeFileSync(join(root, 'alice.card'), Buffer.from(invite.json.card.card, 'base64'));
    const own = await api(alice, 'POST', '/v1/cards/import', { card: readFileSync(join(root, 'alice.card')).toString('base64'), name: 'me' });
    expect(own.status).toBe(422);
    const answered = await api<ImportCardResponse>(bob, 'POST', '/v1/cards/import', { card: readFileSync(join(root, 'alice.card')).toString('base64'), name: 'alice' });
    expect(answered.status).toBe(200);
    writeFileSync(join(root, 'bob.card.txt'), answered.json.answer!.armored);
    const done = await api<ImportCardResponse>(alice, 'POST', '/v1/cards/import', { card: readFileSync(join(root, 'bob.card.txt'), 'utf8') });
    expect(done.status).toBe(200);
    const aliceBob: ContactView = done.json.contact;
    const bobAlice: ContactView = answered.json.contact;
    expect(aliceBob.fingerprint).toBe(bobAlice.fingerprint);

    const sent = await api<MessageView>(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text: 'hello bob' });
    expect(sent.status).toBe(201);
    expect(sent.json.state).toBe('queued');
    await eventually(async () => ((await history(bob, bobAlice.id)).some((m) => m.text === 'hello bob') ? true : undefined), 30_000, 'bob receives');
    await eventually(async () => ((await history(alice, aliceBob.id))[0]?.state === 'delivered' ? true : undefined), 30_000, 'alice sees delivered');
    await api(bob, 'POST', '/v1/messages', { contactId: bobAlice.id, text: 'hi alice' });
    await eventually(async () => ((await history(alice, aliceBob.id)).some((m) => m.text === 'hi alice') ? true : undefined), 30_000, 'alice receives');

    // Bob's node dies right after telling him "queued".
    const told = await api<MessageView>(bob, 'POST', '/v1/messages', { contactId: bobAlice.id, text: 'before the crash' });
    expect(told.json.state).toBe('queued');
    await kill9(bob);
    // Alice keeps writing while Bob's node is down.
    await api(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text: 'are you there?' });
    restart(root, bob, 'bob');
    await ready(bob);
    expect((await api(bob, 'GET', '/v1/agent')).json.state).toBe('locked');
    expect((await api(bob, 'POST', '/v1/agent/unlock', { password: 'wrong' })).status).toBe(403);
    expect((await api(bob, 'POST', '/v1/agent/unlock', { password: 'bob pass' })).status).toBe(200);
    await eventually(async () => ((await history(alice, aliceBob.id)).some((m) => m.text === 'before the crash') ? true : undefined), 60_000, 'alice gets the message sent before the crash');
    await eventually(async () => ((await history(bob, bobAlice.id)).some((m) => m.text === 'are you there?') ? true : undefined), 60_000, 'bob gets the message sent while down');
  }, 180_000);
});
