/**
 * Groups and mesh broadcasts between two meow-node processes on loopback UDP,
 * through the local API only: the group invitation and keys travel inside the
 * 1:1 conversation, each group message as a sealed copy over the mesh to the
 * member's group mailbox; a removed member reads nothing sent after; a mesh
 * broadcast is shown only once its author's key is trusted. The state lives
 * in the vault: it survives lock and unlock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportCardResponse, InvitationView } from '../../seams/local-api.ts';
import { api, eventually, ready, startNode, stop } from './support.ts';

const root = mkdtempSync(join(tmpdir(), 'meow-social-'));
const alice = startNode(root, 'alice', 20481, 20482, 20491);
const bob = startNode(root, 'bob', 20482, 20481, 20492);
afterAll(async () => {
  await stop(alice);
  await stop(bob);
  rmSync(root, { recursive: true, force: true });
});

interface GroupView {
  id: string; name: string; role: string; status: string; epoch: number;
  members: { index: number; name: string }[]; messages: { fromName: string; text: string; mine: boolean }[];
}
interface GroupsView { groups: GroupView[]; invitations: { groupId: string; name: string }[] }
interface BroadcastsView { myKey: string; broadcasts: { text: string; author: string }[] }

const groups = async (node: typeof alice): Promise<GroupsView> => (await api<GroupsView>(node, 'GET', '/v1/groups')).json;
const group = async (node: typeof alice, id: string): Promise<GroupView | undefined> => (await groups(node)).groups.find((g) => g.id === id);

describe('groups and broadcasts between two nodes', () => {
  it('create, invite, join, talk both ways, remove with new keys; a trusted mesh broadcast', async () => {
    await ready(alice);
    await ready(bob);
    // Locked: the social routes refuse like the others.
    expect((await api(alice, 'GET', '/v1/groups')).status).toBe(409);
    expect((await api(alice, 'POST', '/v1/agent/init', { password: 'alice pass' })).status).toBe(201);
    expect((await api(bob, 'POST', '/v1/agent/init', { password: 'bob pass' })).status).toBe(201);
    const invite = await api<InvitationView>(alice, 'POST', '/v1/invitations', { name: 'bob' });
    const answered = await api<ImportCardResponse>(bob, 'POST', '/v1/cards/import', { card: invite.json.card.card, name: 'alice' });
    expect((await api(alice, 'POST', '/v1/cards/import', { card: answered.json.answer!.armored })).status).toBe(200);

    const made = await api<GroupView>(alice, 'POST', '/v1/groups', { name: 'family', myName: 'alice' });
    expect(made.status).toBe(200);
    expect(made.json).toMatchObject({ name: 'family', role: 'admin', status: 'active', epoch: 0 });
    const id = made.json.id;
    expect((await api(alice, 'POST', `/v1/groups/${id}/invite`, { contact: 'nobody' })).status).toBe(404);
    expect((await api(alice, 'POST', `/v1/groups/${id}/invite`, { contact: 'bob' })).status).toBe(200);

    await eventually(async () => ((await groups(bob)).invitations.some((i) => i.groupId === id && i.name === 'family') ? true : undefined), 30_000, 'bob is invited');
    expect((await api<GroupView>(bob, 'POST', `/v1/groups/${id}/join`)).json.status).toBe('joining');
    const joined = await eventually(async () => {
      const g = await group(bob, id);
      return g?.status === 'active' ? g : undefined;
    }, 30_000, 'bob gets the keys');
    expect(joined.members.map((m) => m.name).sort()).toEqual(['alice', 'bob']);
    expect(joined.epoch).toBe(1);

    expect((await api<{ copies: number }>(alice, 'POST', `/v1/groups/${id}/messages`, { text: 'dinner at 8' })).json.copies).toBe(1);
    await eventually(async () => ((await group(bob, id))?.messages.some((m) => m.text === 'dinner at 8' && m.fromName === 'alice') ? true : undefined), 30_000, 'bob reads the group');
    await api(bob, 'POST', `/v1/groups/${id}/messages`, { text: 'on my way' });
    await eventually(async () => ((await group(alice, id))?.messages.some((m) => m.text === 'on my way' && m.fromName === 'bob') ? true : undefined), 30_000, 'alice reads the group');

    // Kept in the vault: the group is there after lock and unlock.
    await api(bob, 'POST', '/v1/agent/lock');
    expect((await api(bob, 'POST', '/v1/agent/unlock', { password: 'bob pass' })).status).toBe(200);
    expect((await group(bob, id))?.messages.map((m) => m.text)).toEqual(['dinner at 8', 'on my way']);

    // Removal: new epoch and keys without bob; bob is told, and reads nothing sent after.
    const removed = await api<GroupView>(alice, 'POST', `/v1/groups/${id}/remove`, { member: 'bob' });
    expect(removed.json.epoch).toBe(2);
    expect(removed.json.members.map((m) => m.name)).toEqual(['alice']);
    await eventually(async () => ((await group(bob, id))?.status === 'removed' ? true : undefined), 30_000, 'bob learns he was removed');
    expect((await api<{ copies: number }>(alice, 'POST', `/v1/groups/${id}/messages`, { text: 'after bob' })).json.copies).toBe(0);
    expect((await api(bob, 'POST', `/v1/groups/${id}/messages`, { text: 'still here?' })).status).toBe(400);

    // Mesh broadcast: untrusted authors are not shown; once trusted, the next one is.
    const bobKey = (await api<BroadcastsView>(bob, 'GET', '/v1/broadcasts')).json.myKey;
    const sent1 = await api<{ mesh: boolean }>(bob, 'POST', '/v1/broadcasts', { text: 'untrusted so far' });
    expect(sent1.status).toBe(200);
    expect(sent1.json.mesh).toBe(true);
    expect((await api(alice, 'POST', '/v1/broadcasts/trust', { key: bobKey, name: 'bob' })).status).toBe(200);
    await api(bob, 'POST', '/v1/broadcasts', { text: 'the bridge is down, take the ford' });
    const seen = await eventually(async () => {
      const b = (await api<BroadcastsView>(alice, 'GET', '/v1/broadcasts')).json.broadcasts;
      return b.some((x) => x.text === 'the bridge is down, take the ford') ? b : undefined;
    }, 30_000, 'alice sees the trusted broadcast');
    expect(seen.map((b) => b.text)).not.toContain('untrusted so far');
    expect((await group(bob, id))?.messages.map((m) => m.text)).not.toContain('after bob');
  }, 180_000);
});
