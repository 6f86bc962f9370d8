import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../protocol/codec/bytes.ts';
import { decodeGroupHeader } from '../../../protocol/envelope/group.ts';
import { encodeControl } from '../../../agent/social/control.ts';
import { SocialError } from '../../../agent/social/errors.ts';
import { createGroup, findGroup, inviteToGroup, joinGroup, leaveGroup, removeMember, sendGroupText } from '../../../agent/social/groups.ts';
import { handleSocialControl, parseSocialState, serializeSocialState } from '../../../agent/social/social-state.ts';
import { type Person, World } from './world.ts';

async function threeInAGroup() {
  const world = new World();
  const alice = world.person('alice');
  const bob = world.person('bob');
  const carol = world.person('carol');
  await world.connect(alice, bob);
  await world.connect(alice, carol);
  const g = createGroup(alice.env, alice.state.groups, 'walkers', 'Alice', []);
  for (const [p, name] of [[bob, 'Bob'], [carol, 'Carol']] as [Person, string][]) {
    await inviteToGroup(g, alice.channel, alice.contactFor(p), name);
    await world.flush();
    expect(p.state.groups.invitations.map((i) => i.name)).toEqual(['walkers']);
    await joinGroup(p.env, p.state.groups, p.channel, g.id, []);
    await world.flush();
  }
  return { world, alice, bob, carol, g };
}

function lastTexts(p: Person, groupId: string): string[] {
  return findGroup(p.state.groups, groupId).messages.map((m) => `${m.fromName}: ${m.text}`);
}

describe('groups (whitepaper 1.6)', () => {
  it('invites over 1:1 conversations, then every member gets a copy of each message', async () => {
    const { world, alice, bob, carol, g } = await threeInAGroup();
    expect(g.members.map((m) => m.name)).toEqual(['Alice', 'Bob', 'Carol']);
    expect(findGroup(bob.state.groups, g.id).status).toBe('active');
    expect(findGroup(carol.state.groups, g.id).epoch).toBe(g.epoch);

    const copies = await sendGroupText(bob.env, findGroup(bob.state.groups, g.id), bob.node, 'hello all');
    expect(copies).toBe(2);
    await world.flush();
    expect(lastTexts(alice, g.id)).toEqual(['Bob: hello all']);
    expect(lastTexts(carol, g.id)).toEqual(['Bob: hello all']);
    expect(lastTexts(bob, g.id)).toEqual(['Bob: hello all']);
  });

  it('refuses a replayed group message and a forged one, changing nothing', async () => {
    const { world, alice, carol, g } = await threeInAGroup();
    await sendGroupText(carol.env, findGroup(carol.state.groups, g.id), carol.node, 'once');
    await world.flush();
    const copy = world.groupCopies.at(-1)!.envelope;
    alice.receiveEnvelope(copy);
    const forged = copy.slice();
    forged[forged.length - 1]! ^= 1;
    alice.receiveEnvelope(forged);
    expect(alice.log.slice(-2)).toEqual(['group refused: replay', 'group refused: bad-mac']);
    expect(lastTexts(alice, g.id)).toEqual(['Carol: once']);
  });

  it('a removed member cannot read later messages (new keys and tag without it)', async () => {
    const { world, alice, bob, carol, g } = await threeInAGroup();
    const epochBefore = g.epoch;
    await removeMember(alice.env, g, alice.channel, 'Carol');
    await world.flush();
    expect(findGroup(carol.state.groups, g.id).status).toBe('removed');
    expect(findGroup(bob.state.groups, g.id).epoch).toBe(epochBefore + 1);
    expect(g.members.map((m) => m.name)).toEqual(['Alice', 'Bob']);

    const sentBefore = world.groupCopies.length;
    await sendGroupText(bob.env, findGroup(bob.state.groups, g.id), bob.node, 'after carol');
    await world.flush();
    const later = world.groupCopies.slice(sentBefore);
    expect(later).toHaveLength(1); // one copy: to Alice only
    expect(lastTexts(alice, g.id)).toEqual(['Bob: after carol']);

    // Even holding a copy, Carol's old state opens nothing: it is not active, and with
    // its old keys reinstated the new tag and key still do not match.
    const carolGroup = findGroup(carol.state.groups, g.id);
    carolGroup.status = 'active';
    carol.receiveEnvelope(later[0]!.envelope);
    expect(carol.log.at(-1)).toBe('group refused: unknown-sender');
    const header = decodeGroupHeader(later[0]!.envelope);
    expect(header.ok).toBe(true);
    expect(carolGroup.messages).toEqual([]);
  });

  it('a member who leaves is re-keyed out; a stale key table replayed is refused', async () => {
    const { world, alice, bob, carol, g } = await threeInAGroup();
    const bobGroup = findGroup(bob.state.groups, g.id);
    const oldEpoch = bobGroup.epoch;
    await leaveGroup(findGroup(carol.state.groups, g.id), carol.channel);
    await world.flush();
    expect(g.members.map((m) => m.name)).toEqual(['Alice', 'Bob']);
    expect(bobGroup.epoch).toBe(oldEpoch + 1);
    // Alice's old table (an older epoch) sent again: refused.
    const stale = encodeControl({
      type: 'group-keys', groupId: fromHex(g.id)!, epoch: oldEpoch, yourIndex: bobGroup.myIndex, name: 'walkers',
      members: bobGroup.members.map((m) => ({ index: m.index, name: m.name, senderKey: fromHex(m.senderKey)!, mailbox: { lookupKey: fromHex(m.mailbox.lookupKey)!, servers: [] } })),
    });
    const r = await handleSocialControl(bob.env, bob.state, { channel: bob.channel, cards: bob.cards }, bob.contactFor(alice), stale);
    expect(r).toBe('refused: stale keys');
    expect(bobGroup.epoch).toBe(oldEpoch + 1);
  });

  it('only the admin changes members; keys from another contact and joins without invitation are refused', async () => {
    const { world, alice, bob, carol, g } = await threeInAGroup();
    await expect(removeMember(bob.env, findGroup(bob.state.groups, g.id), bob.channel, 'Carol')).rejects.toMatchObject({ code: 'not-admin' });
    await world.connect(bob, carol);
    const join = encodeControl({ type: 'group-join', groupId: fromHex(g.id)!, mailbox: { lookupKey: new Uint8Array(32), servers: [] } });
    const before = JSON.stringify(g.members);
    const r = await handleSocialControl(alice.env, alice.state, { channel: alice.channel, cards: alice.cards }, alice.contactFor(bob), join);
    expect(r).toBe('refused: join without invitation');
    expect(JSON.stringify(g.members)).toBe(before);
    expect(() => createGroup(alice.env, alice.state.groups, 'x'.repeat(33), 'A', [])).toThrow(SocialError);
  });

  it('the state survives a JSON round trip and group sends continue from the persisted counter', async () => {
    const { world, alice, bob, g } = await threeInAGroup();
    await sendGroupText(alice.env, g, alice.node, 'one');
    const restored = parseSocialState(serializeSocialState(alice.state));
    expect(findGroup(restored.groups, g.id).nextCounter).toBe(1);
    await world.flush();
    expect(lastTexts(bob, g.id)).toEqual(['Alice: one']);
    expect(() => parseSocialState('{"version":2}')).toThrow(/version 2/);
  });
});
