/**
 * Groups (whitepaper 1.6): "exchange group information between users; a
 * message to a group sends a copy of the message to each member".
 *
 * - The creator is the group's admin. It invites its contacts over their 1:1
 *   conversations (control.ts group-invite); one who accepts answers with a
 *   fresh mailbox made for this group alone (group-join), so members learn
 *   nothing about each other but a name the admin chose and that mailbox.
 * - The admin draws every member's sender key for the epoch and hands each
 *   member the whole table (group-keys) inside its 1:1 session. A sender
 *   key proves "a member", not which (protocol/envelope/group.ts), so the
 *   admin drawing them loses nothing.
 * - A message is sealed once under the sender's key (0x12 envelope) and a
 *   copy goes to every other member's group mailbox through the node.
 * - Whenever the membership changes the admin re-keys: new epoch, new keys
 *   and a new group tag, sent to the remaining members only; a removed or
 *   departed member keeps old keys that open nothing later.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import { constantTimeEqual } from '../../protocol/codec/bytes.ts';
import { type GroupSenderEntry, openGroupMessage, sealGroupMessage } from '../../protocol/envelope/group.ts';
import { generateLookupKeyPair, lookupKeyPairFromSecret } from '../../protocol/keys/keys.ts';
import { type ControlMessage, MAX_GROUP_MEMBERS, encodeControl } from './control.ts';
import { SocialError } from './errors.ts';
import {
  type GroupState, type GroupsState, epochTag, findGroup, freshWindow, fromStoredMailbox, hexBytes, keepMessage,
  saveWindow, toStoredMailbox, windowOf,
} from './group-state.ts';
import type { ContactChannel, SocialEnv, SocialNodePort } from './ports.ts';

const SENDER_KEY_BYTES = 32;

function newMailbox(env: SocialEnv): string {
  return toHex(generateLookupKeyPair(env.suite, env.random).secretKey);
}

function myMailboxAddress(env: SocialEnv, g: GroupState): { lookupKey: Uint8Array; servers: readonly string[] } {
  return { lookupKey: lookupKeyPairFromSecret(env.suite, hexBytes(g.mailboxSecret, 'mailbox')).publicKey, servers: g.mailboxServers };
}

function requireAdmin(g: GroupState): void {
  if (g.role !== 'admin') throw new SocialError('not-admin', `only the admin of "${g.name}" changes its members`, { groupId: g.id });
}

export function createGroup(env: SocialEnv, state: GroupsState, name: string, myName: string, servers: readonly string[]): GroupState {
  const id = toHex(env.random.bytes(16));
  const g: GroupState = {
    id, name, role: 'admin', status: 'active', epoch: 0, myIndex: 0, nextCounter: 0,
    mailboxSecret: newMailbox(env), mailboxServers: [...servers], members: [], pending: [], messages: [],
  };
  g.members.push({
    index: 0, name: myName, senderKey: toHex(env.random.bytes(SENDER_KEY_BYTES)),
    mailbox: toStoredMailbox(myMailboxAddress(env, g)), window: freshWindow(),
  });
  encodeKeysFor(g, 0); // checks the name's length now, not at the first invite
  state.groups.push(g);
  return g;
}

function encodeKeysFor(g: GroupState, index: number): Uint8Array {
  return encodeControl({
    type: 'group-keys', groupId: hexBytes(g.id, 'group id'), epoch: g.epoch, yourIndex: index, name: g.name,
    members: g.members.map((m) => ({ index: m.index, name: m.name, senderKey: hexBytes(m.senderKey, 'key'), mailbox: fromStoredMailbox(m.mailbox) })),
  });
}

/** Admin: sends the group's invitation to a contact, who may accept it with joinGroup. */
export async function inviteToGroup(g: GroupState, channel: ContactChannel, contactId: string, memberName: string): Promise<void> {
  requireAdmin(g);
  if (g.members.length + g.pending.length >= MAX_GROUP_MEMBERS) throw new SocialError('group-full', `a group has at most ${MAX_GROUP_MEMBERS} members`);
  if (g.members.some((m) => m.contactId === contactId)) throw new SocialError('bad-argument', `${contactId} is already a member`);
  const payload = encodeControl({ type: 'group-invite', groupId: hexBytes(g.id, 'group id'), name: g.name });
  encodeControl({ type: 'group-invite', groupId: hexBytes(g.id, 'group id'), name: memberName }); // length check of the member's name
  await channel.sendControl(contactId, payload);
  if (!g.pending.some((p) => p.contactId === contactId)) g.pending.push({ contactId, name: memberName });
}

/** Member: accepts an invitation; the admin adds me when my join arrives. */
export async function joinGroup(
  env: SocialEnv, state: GroupsState, channel: ContactChannel, groupId: string, servers: readonly string[],
): Promise<GroupState> {
  const at = state.invitations.findIndex((i) => i.groupId === groupId.toLowerCase());
  if (at < 0) throw new SocialError('unknown-group', `no invitation to group ${groupId}`, { groupId });
  const inv = state.invitations[at]!;
  const g: GroupState = {
    id: inv.groupId, name: inv.name, role: 'member', adminContactId: inv.fromContactId, status: 'joining', epoch: 0,
    myIndex: 0, nextCounter: 0, mailboxSecret: newMailbox(env), mailboxServers: [...servers], members: [], pending: [], messages: [],
  };
  await channel.sendControl(inv.fromContactId, encodeControl({ type: 'group-join', groupId: hexBytes(g.id, 'group id'), mailbox: myMailboxAddress(env, g) }));
  state.invitations.splice(at, 1);
  state.groups = state.groups.filter((x) => x.id !== g.id).concat(g);
  return g;
}

/** New epoch: fresh keys for everyone left, sent to each member's 1:1 conversation. */
async function rekey(env: SocialEnv, g: GroupState, channel: ContactChannel): Promise<void> {
  g.epoch += 1;
  g.nextCounter = 0;
  g.members = g.members.map((m) => ({ ...m, senderKey: toHex(env.random.bytes(SENDER_KEY_BYTES)), window: freshWindow() }));
  for (const m of g.members) {
    if (m.contactId !== undefined) await channel.sendControl(m.contactId, encodeKeysFor(g, m.index));
  }
}

function freeIndex(g: GroupState): number {
  for (let i = 0; i <= 0xff; i++) if (!g.members.some((m) => m.index === i)) return i;
  throw new SocialError('group-full', 'no free member index');
}

/** Admin: removes a member (by index or name); the others get new keys it never sees. */
export async function removeMember(env: SocialEnv, g: GroupState, channel: ContactChannel, who: string): Promise<void> {
  requireAdmin(g);
  const m = g.members.find((x) => x.index !== g.myIndex && (String(x.index) === who || x.name === who || x.contactId === who));
  if (!m) throw new SocialError('unknown-member', `no member "${who}" in "${g.name}"`, { groupId: g.id });
  g.members = g.members.filter((x) => x !== m);
  await rekey(env, g, channel);
  if (m.contactId !== undefined) await channel.sendControl(m.contactId, encodeControl({ type: 'group-removed', groupId: hexBytes(g.id, 'group id') }));
}

/** Member: leaves; the admin re-keys without me. */
export async function leaveGroup(g: GroupState, channel: ContactChannel): Promise<void> {
  if (g.role === 'admin') throw new SocialError('bad-argument', 'the admin cannot leave its group (remove the members instead)');
  await channel.sendControl(g.adminContactId!, encodeControl({ type: 'group-leave', groupId: hexBytes(g.id, 'group id') }));
  g.status = 'removed';
}

/** Seals once under my sender key and hands a copy to the node for every other member. */
export async function sendGroupText(env: SocialEnv, g: GroupState, node: SocialNodePort, text: string): Promise<number> {
  if (g.status !== 'active') throw new SocialError('bad-argument', `group "${g.name}" is ${g.status}`, { groupId: g.id });
  const me = g.members.find((m) => m.index === g.myIndex)!;
  const counter = g.nextCounter;
  const envelope = sealGroupMessage(env.suite, { groupTag: epochTag(env.suite, g), senderIndex: g.myIndex, key: hexBytes(me.senderKey, 'key') },
    counter, { type: 'text', text });
  g.nextCounter = counter + 1; // the caller persists the state before the copies leave (no counter reuse after a crash)
  keepMessage(g, { atMs: env.clock.now(), fromIndex: g.myIndex, fromName: me.name, text, mine: true });
  const others = g.members.filter((m) => m.index !== g.myIndex);
  for (const m of others) await node.deliver(fromStoredMailbox(m.mailbox), envelope);
  return others.length;
}

export type GroupReceive =
  | { readonly ok: true; readonly groupId: string; readonly fromIndex: number; readonly fromName: string; readonly text: string }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** Opens a 0x12 envelope with the current epoch's keys; forged, replayed and stale ones change nothing. */
export function receiveGroupEnvelope(env: SocialEnv, state: GroupsState, bytes: Uint8Array): GroupReceive {
  let matched: { g: GroupState; index: number } | undefined;
  const windows = new Map<GroupState['members'][number], ReturnType<typeof windowOf>>();
  const lookup = (tag: Uint8Array, senderIndex: number): GroupSenderEntry | undefined => {
    for (const g of state.groups) {
      if (g.status !== 'active' || !constantTimeEqual(epochTag(env.suite, g), tag)) continue;
      const m = g.members.find((x) => x.index === senderIndex && x.index !== g.myIndex);
      if (!m) return undefined;
      matched = { g, index: senderIndex };
      const w = windowOf(m);
      windows.set(m, w);
      return { key: hexBytes(m.senderKey, 'key'), window: w };
    }
    return undefined;
  };
  const opened = openGroupMessage(env.suite, bytes, lookup);
  if (!opened.ok) return { ok: false, code: opened.code, message: opened.message };
  if (opened.value.body.type !== 'text' || !matched) return { ok: false, code: 'bad-value', message: 'group data bodies are not shown' };
  const { g, index } = matched;
  const m = g.members.find((x) => x.index === index)!;
  saveWindow(m, windows.get(m)!);
  keepMessage(g, { atMs: env.clock.now(), fromIndex: index, fromName: m.name, text: opened.value.body.text, mine: false });
  return { ok: true, groupId: g.id, fromIndex: index, fromName: m.name, text: opened.value.body.text };
}

/** The group part of an incoming control message from `contactId`; returns what changed, for the log. */
export async function handleGroupControl(
  env: SocialEnv, state: GroupsState, channel: ContactChannel, contactId: string, msg: ControlMessage,
): Promise<string> {
  if (!('groupId' in msg)) return 'ignored';
  const groupId = toHex(msg.groupId);
  const g = state.groups.find((x) => x.id === groupId);
  switch (msg.type) {
    case 'group-invite':
      if (g || state.invitations.some((i) => i.groupId === groupId)) return 'duplicate invitation';
      state.invitations.push({ groupId, name: msg.name, fromContactId: contactId, receivedAtMs: env.clock.now() });
      return 'invited';
    case 'group-join': {
      const p = g?.role === 'admin' ? g.pending.find((x) => x.contactId === contactId) : undefined;
      if (!g || !p) return 'refused: join without invitation';
      g.pending = g.pending.filter((x) => x !== p);
      g.members.push({ index: freeIndex(g), name: p.name, senderKey: '', contactId, mailbox: toStoredMailbox(msg.mailbox), window: freshWindow() });
      await rekey(env, g, channel);
      return 'joined';
    }
    case 'group-keys': {
      // Only the admin who invited me, and only forward in epochs: old tables replayed change nothing.
      if (!g || g.role !== 'member' || g.adminContactId !== contactId) return 'refused: keys not from the admin';
      if (g.status === 'removed' || (g.status === 'active' && msg.epoch <= g.epoch)) return 'refused: stale keys';
      const mine = msg.members.find((m) => m.index === msg.yourIndex)!;
      if (!constantTimeEqual(mine.mailbox.lookupKey, myMailboxAddress(env, g).lookupKey)) return 'refused: not my mailbox';
      g.name = msg.name;
      g.epoch = msg.epoch;
      g.myIndex = msg.yourIndex;
      g.nextCounter = 0;
      g.status = 'active';
      g.members = msg.members.map((m) => ({ index: m.index, name: m.name, senderKey: toHex(m.senderKey), mailbox: toStoredMailbox(m.mailbox), window: freshWindow() }));
      return 'keys';
    }
    case 'group-removed':
      if (!g || g.role !== 'member' || g.adminContactId !== contactId) return 'refused: not from the admin';
      g.status = 'removed';
      return 'removed';
    case 'group-leave': {
      const m = g?.role === 'admin' ? g.members.find((x) => x.contactId === contactId) : undefined;
      if (!g || !m) return 'refused: not a member';
      g.members = g.members.filter((x) => x !== m);
      await rekey(env, g, channel);
      return 'left';
    }
  }
}

/** The mailboxes this agent must poll for its groups (Lkp seeds; the node fetches with them). */
export function groupMailboxSecrets(state: GroupsState): { groupId: string; lookupSecret: Uint8Array; servers: readonly string[] }[] {
  return state.groups.filter((g) => g.status !== 'removed')
    .map((g) => ({ groupId: g.id, lookupSecret: hexBytes(g.mailboxSecret, 'mailbox'), servers: g.mailboxServers }));
}

/** What the API shows: no keys, no mailbox secrets. */
export function groupView(g: GroupState): object {
  return {
    id: g.id, name: g.name, role: g.role, status: g.status, epoch: g.epoch, myIndex: g.myIndex,
    members: g.members.map((m) => ({ index: m.index, name: m.name })), pending: g.pending.map((p) => p.name),
    messages: g.messages,
  };
}

export { findGroup };
