/**
 * The groups' part of the social state (whitepaper 1.6): plain JSON values
 * (bytes as hex) so the core can keep them in the agent document inside the
 * vault. Secrets here (sender keys, mailbox Lkp seeds) never leave the vault
 * and are never logged: the API views in groups.ts leave them out.
 */
import { concatBytes, fromHex, toHex, utf8 } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { groupTag } from '../../protocol/envelope/group.ts';
import { ReplayWindow } from '../../protocol/envelope/replay-window.ts';
import type { MailboxAddress } from './control.ts';
import { SocialError } from './errors.ts';

export interface StoredMailbox {
  readonly lookupKey: string;
  readonly servers: readonly string[];
}

export interface GroupMemberState {
  readonly index: number;
  readonly name: string;
  readonly senderKey: string;
  readonly mailbox: StoredMailbox;
  /** Admin side only: the contact this member is, to send it the keys. */
  readonly contactId?: string;
  /** Replay window of this sender's counters in the current epoch. */
  window: { highest: number; bitmap: string };
}

export interface GroupMessageState {
  readonly atMs: number;
  readonly fromIndex: number;
  readonly fromName: string;
  readonly text: string;
  readonly mine: boolean;
}

export interface GroupState {
  readonly id: string;
  name: string;
  readonly role: 'admin' | 'member';
  /** Member side: the contact that invited me and alone may send keys. */
  readonly adminContactId?: string;
  status: 'joining' | 'active' | 'removed';
  epoch: number;
  myIndex: number;
  /** Next counter under my sender key: persisted before each send (group.ts: never repeat). */
  nextCounter: number;
  /** My mailbox for this group: a fresh Lkp seed that names nothing else. */
  readonly mailboxSecret: string;
  readonly mailboxServers: readonly string[];
  members: GroupMemberState[];
  /** Admin side: contacts invited and not yet joined, with the name the admin gave them. */
  pending: { contactId: string; name: string }[];
  messages: GroupMessageState[];
}

export interface GroupInvitationState {
  readonly groupId: string;
  readonly name: string;
  readonly fromContactId: string;
  readonly receivedAtMs: number;
}

export interface GroupsState {
  groups: GroupState[];
  invitations: GroupInvitationState[];
}

export const MAX_KEPT_GROUP_MESSAGES = 200;
const EPOCH_LABEL = utf8('meow/group-epoch/v1');

export function emptyGroups(): GroupsState {
  return { groups: [], invitations: [] };
}

export function hexBytes(hex: string, what: string): Uint8Array {
  const b = fromHex(hex);
  if (!b) throw new SocialError('bad-state', `${what} is not hex`);
  return b;
}

export function findGroup(state: GroupsState, groupId: string): GroupState {
  const g = state.groups.find((x) => x.id === groupId.toLowerCase());
  if (!g) throw new SocialError('unknown-group', `no group ${groupId}`, { groupId });
  return g;
}

/**
 * The 16-byte id under which an epoch's messages travel: a new one at every
 * re-key, so a removed member cannot even tell the group still talks
 * (whitepaper 1.6; the tag itself is protocol/envelope/group.ts).
 */
export function epochGroupId(suite: CryptoSuite, groupId: Uint8Array, epoch: number): Uint8Array {
  const e = new Uint8Array(4);
  new DataView(e.buffer).setUint32(0, epoch);
  return suite.sha256(concatBytes(EPOCH_LABEL, groupId, e)).slice(0, 16);
}

export function epochTag(suite: CryptoSuite, g: GroupState): Uint8Array {
  return groupTag(suite, epochGroupId(suite, hexBytes(g.id, 'group id'), g.epoch));
}

export function toStoredMailbox(m: MailboxAddress): StoredMailbox {
  return { lookupKey: toHex(m.lookupKey), servers: [...m.servers] };
}

export function fromStoredMailbox(m: StoredMailbox): MailboxAddress {
  return { lookupKey: hexBytes(m.lookupKey, 'mailbox key'), servers: m.servers };
}

export function windowOf(m: GroupMemberState): ReplayWindow {
  return new ReplayWindow(m.window.highest, BigInt(`0x${m.window.bitmap || '0'}`));
}

export function saveWindow(m: GroupMemberState, w: ReplayWindow): void {
  m.window = { highest: w.highest, bitmap: w.bitmap.toString(16) };
}

export function freshWindow(): { highest: number; bitmap: string } {
  return { highest: -1, bitmap: '0' };
}

export function keepMessage(g: GroupState, m: GroupMessageState): void {
  g.messages.push(m);
  if (g.messages.length > MAX_KEPT_GROUP_MESSAGES) g.messages.splice(0, g.messages.length - MAX_KEPT_GROUP_MESSAGES);
}
