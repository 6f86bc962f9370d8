/**
 * A hidden contact end to end, on two meow-node processes (mesh over UDP
 * loopback): Alice makes a hidden compartment, invites Bob into it and
 * chats; after lock and unlock with her main password Bob is nowhere to be
 * seen, a wrong password reveals nothing, and her hidden password shows him
 * again with the history. What Bob sent while the hidden compartment was
 * locked is taken off the node's mailboxes into the vault (sealed to the
 * compartment's drop key) and shown when it opens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentStateView, ContactListResponse, ContactView, ImportCardResponse, InvitationView, MailboxEnvelopesResponse } from '../../seams/local-api.ts';
import { api, eventually, history, ready, startNode, stop } from './support.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { mailboxTag } from '../../protocol/session/key-schedule.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';

const suite = createNodeSuite();

const root = mkdtempSync(join(tmpdir(), 'meow-e2e-hidden-'));
const alice = startNode(root, 'alice', 20451, 20452, 20461);
const bob = startNode(root, 'bob', 20452, 20451, 20462);
afterAll(async () => {
  await stop(alice);
  await stop(bob);
  rmSync(root, { recursive: true, force: true });
});

async function names(node: typeof alice): Promise<string[]> {
  return (await api<ContactListResponse>(node, 'GET', '/v1/contacts')).json.contacts.map((c) => c.name);
}

describe('a hidden contact', () => {
  it('is invisible under the main password, visible under its own, and keeps what arrived while locked', async () => {
    await ready(alice);
    await ready(bob);
    expect((await api(alice, 'POST', '/v1/agent/init', { password: 'alice main' })).status).toBe(201);
    expect((await api(bob, 'POST', '/v1/agent/init', { password: 'bob main' })).status).toBe(201);
    const opened = await api<AgentStateView>(alice, 'POST', '/v1/agent/hidden', { password: 'alice hidden' });
    expect(opened.json.hiddenOpen).toBe(1);

    const invite = await api<InvitationView>(alice, 'POST', '/v1/invitations', { name: 'secret bob', hidden: true });
    expect(invite.json.contact.hidden).toBe(true);
    const answered = await api<ImportCardResponse>(bob, 'POST', '/v1/cards/import', { card: invite.json.card.card, name: 'alice' });
    const done = await api<ImportCardResponse>(alice, 'POST', '/v1/cards/import', { card: answered.json.answer!.card });
    const secret: ContactView = done.json.contact;
    const bobAlice: ContactView = answered.json.contact;
    expect(secret).toMatchObject({ hidden: true, status: 'active' });

    await api(alice, 'POST', '/v1/messages', { contactId: secret.id, text: 'psst' });
    await eventually(async () => ((await history(bob, bobAlice.id)).some((m) => m.text === 'psst') ? true : undefined), 30_000, 'bob receives');
    await eventually(async () => ((await history(alice, secret.id))[0]?.state === 'delivered' ? true : undefined), 30_000, 'delivered');

    await api(alice, 'POST', '/v1/agent/lock');
    const main = await api<AgentStateView>(alice, 'POST', '/v1/agent/unlock', { password: 'alice main' });
    expect(main.json).toMatchObject({ state: 'unlocked', hiddenOpen: 0 });
    expect(await names(alice)).toEqual([]);
    expect((await api(alice, 'GET', `/v1/contacts/${secret.id}`)).status).toBe(404);
    const wrong = await api<{ error: { code: string } }>(alice, 'POST', '/v1/agent/unlock', { password: 'not it' });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.code).toBe('wrong-password');

    // Bob writes while the compartment is locked: the envelope waits in Alice's node, unread by anyone.
    await api(bob, 'POST', '/v1/messages', { contactId: bobAlice.id, text: 'while you were away' });
    await eventually(async () => ((await history(bob, bobAlice.id)).find((m) => m.text === 'while you were away')?.state === 'sent' ? true : undefined), 30_000, 'sent to alice\'s node');
    expect(await names(alice)).toEqual([]);
    // The node polls the locked compartment's mailbox like a fake's, seals what arrives to its drop key
    // into the vault, and lets go of its own copy.
    const card = decodeCard(suite, Buffer.from(invite.json.card.card, 'base64'));
    const tag = toHex(mailboxTag(suite, card.ok ? card.value.mailboxId : new Uint8Array(32)));
    await eventually(async () => ((await api<MailboxEnvelopesResponse>(alice, 'GET', `/v1/mailboxes/${tag}`)).json.envelopes.length === 0 ? true : undefined), 30_000, 'kept in the vault, released by the node');

    const revealed = await api<AgentStateView>(alice, 'POST', '/v1/agent/unlock', { password: 'alice hidden' });
    expect(revealed.json.hiddenOpen).toBe(1);
    expect(await names(alice)).toEqual(['secret bob']);
    expect((await history(alice, secret.id)).map((m) => m.text)).toContain('psst');
    await eventually(async () => ((await history(alice, secret.id)).some((m) => m.text === 'while you were away') ? true : undefined), 30_000, 'shown once opened');
  }, 180_000);
});
