/**
 * Social control messages: what the social features (groups, whitepaper 1.6;
 * introductions, 1.5 and 3.2) exchange inside an existing 1:1 conversation,
 * as the data body of an inner message (protocol/envelope/inner.ts). The 1:1
 * session already authenticates the sender as one contact and hides the type
 * from relays; this layer only says what the bytes mean.
 *
 *   offset 0      2        3         4
 *          +------+--------+---------+---------------------------------+
 *          | "MS" | ver 02 | type u8 | fields of the type (below)      |
 *          +------+--------+---------+---------------------------------+
 *
 *   01 group-invite   group id 16 | name (varint len, UTF-8 <= 32)
 *   02 group-join     group id 16 | mailbox (see below)
 *   03 group-keys     group id 16 | epoch u32 | your index u8 | name (<= 32)
 *                     | member count u8 (1..16) | members: index u8 | name (<= 32)
 *                     | sender key 32 | mailbox
 *   04 group-removed  group id 16
 *   05 group-leave    group id 16
 *   10 intro-offer    intro id 16 | role u8 (1 invite, 2 answer) | peer name (<= 32)
 *   11 intro-accept   intro id 16 | card (varint len, <= 1965; empty for the answering side)
 *   12 intro-refuse   intro id 16
 *   13 intro-card     intro id 16 | card (varint len, 1..1965)
 *   mailbox = Lkp Ed25519 public 32 | server count u8 (0..2)
 *             | servers: the card's server entry (0x87 | node key 32 for a mesh node), <= 64 bytes each
 *             (control-mailbox.ts)
 *
 * Version 2 changed the mailbox only: version 1 carried each server as UTF-8
 * text of at most 64 bytes, too short for mesh://<node key> (71), so group
 * copies went to a member's node by id and, beyond one hop, without an
 * authenticated origin. Version-1 messages from older agents are still
 * read, their server texts held to what version 2 can carry; this agent
 * writes version 2 only, which agents before it refuse ('bad-version').
 *
 * The caps keep the largest group-keys message under 4 KiB inside one 1:1
 * envelope (docs/PROTOCOL.md, MAX_ENVELOPE_BYTES = 4096): 59 bytes
 * (magic, version, type, id, epoch, index, name, count) + 16 members x
 * (index 1 + name 33 + sender key 32 + mailbox 32 + 1 + 2 x 64) = 3,691 bytes,
 * and the direct envelope adds at most 156 (header 10, inner type 1, 16 acks
 * 65, two rotated keys 64, AEAD tag 16): 3,847.
 * The "MS" prefix keeps these apart from other data bodies the agent may send.
 */
import { fromUtf8, utf8 } from '../../protocol/codec/bytes.ts';
import { ByteReader } from '../../protocol/codec/reader.ts';
import { type DecodeResult, fail, ok } from '../../protocol/codec/result.ts';
import { ByteWriter } from '../../protocol/codec/writer.ts';
import { MAX_CARD_BYTES } from '../../protocol/card/types.ts';
import { type MailboxAddress, readMailbox, writeMailbox } from './control-mailbox.ts';
import { SocialError } from './errors.ts';

export { MAX_MAILBOX_SERVERS, MAX_SERVER_ENTRY_BYTES, MAX_SERVER_URL_BYTES, type MailboxAddress } from './control-mailbox.ts';

export const CONTROL_MAGIC = [0x4d, 0x53] as const;
/** The version this agent writes. */
export const CONTROL_VERSION = 2;
/** Versions it reads: 1 differs in the mailbox's server form only (control-mailbox.ts). */
const READ_VERSIONS: readonly number[] = [1, 2];
export const GROUP_ID_BYTES = 16;
export const INTRO_ID_BYTES = 16;
export const MAX_NAME_BYTES = 32;
export const MAX_GROUP_MEMBERS = 16;
const KEY_BYTES = 32;

export const CONTROL_TYPE = {
  'group-invite': 0x01,
  'group-join': 0x02,
  'group-keys': 0x03,
  'group-removed': 0x04,
  'group-leave': 0x05,
  'intro-offer': 0x10,
  'intro-accept': 0x11,
  'intro-refuse': 0x12,
  'intro-card': 0x13,
} as const;
export type ControlType = keyof typeof CONTROL_TYPE;

export interface GroupMemberInfo {
  readonly index: number;
  readonly name: string;
  readonly senderKey: Uint8Array;
  readonly mailbox: MailboxAddress;
}

export type IntroRole = 'invite' | 'answer';

export type ControlMessage =
  | { readonly type: 'group-invite'; readonly groupId: Uint8Array; readonly name: string }
  | { readonly type: 'group-join'; readonly groupId: Uint8Array; readonly mailbox: MailboxAddress }
  | {
    readonly type: 'group-keys'; readonly groupId: Uint8Array; readonly epoch: number; readonly yourIndex: number;
    readonly name: string; readonly members: readonly GroupMemberInfo[];
  }
  | { readonly type: 'group-removed'; readonly groupId: Uint8Array }
  | { readonly type: 'group-leave'; readonly groupId: Uint8Array }
  | { readonly type: 'intro-offer'; readonly introId: Uint8Array; readonly role: IntroRole; readonly peerName: string }
  | { readonly type: 'intro-accept'; readonly introId: Uint8Array; readonly card: Uint8Array }
  | { readonly type: 'intro-refuse'; readonly introId: Uint8Array }
  | { readonly type: 'intro-card'; readonly introId: Uint8Array; readonly card: Uint8Array };

function checkText(what: string, text: string, max: number): Uint8Array {
  const bytes = utf8(text);
  if (bytes.length > max) throw new SocialError('bad-argument', `${what} is ${bytes.length} bytes, at most ${max}`);
  return bytes;
}

function checkFixed(what: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) throw new SocialError('bad-argument', `${what} must be ${length} bytes`);
}

/** Encodes a control message; misuse (oversized fields) throws SocialError. */
export function encodeControl(m: ControlMessage): Uint8Array {
  const w = new ByteWriter(128).u8(CONTROL_MAGIC[0]).u8(CONTROL_MAGIC[1]).u8(CONTROL_VERSION).u8(CONTROL_TYPE[m.type]);
  const id = 'groupId' in m ? m.groupId : m.introId;
  checkFixed('id', id, GROUP_ID_BYTES);
  w.bytes(id);
  switch (m.type) {
    case 'group-invite':
      w.lengthPrefixed(checkText('group name', m.name, MAX_NAME_BYTES), MAX_NAME_BYTES);
      break;
    case 'group-join':
      writeMailbox(w, m.mailbox);
      break;
    case 'group-keys': {
      if (m.members.length < 1 || m.members.length > MAX_GROUP_MEMBERS) {
        throw new SocialError('bad-argument', `a group has 1..${MAX_GROUP_MEMBERS} members`);
      }
      w.u32(m.epoch).u8(m.yourIndex).lengthPrefixed(checkText('group name', m.name, MAX_NAME_BYTES), MAX_NAME_BYTES).u8(m.members.length);
      for (const member of m.members) {
        checkFixed('sender key', member.senderKey, KEY_BYTES);
        w.u8(member.index).lengthPrefixed(checkText('member name', member.name, MAX_NAME_BYTES), MAX_NAME_BYTES).bytes(member.senderKey);
        writeMailbox(w, member.mailbox);
      }
      break;
    }
    case 'intro-offer':
      w.u8(m.role === 'invite' ? 1 : 2).lengthPrefixed(checkText('name', m.peerName, MAX_NAME_BYTES), MAX_NAME_BYTES);
      break;
    case 'intro-accept':
    case 'intro-card':
      if (m.card.length > MAX_CARD_BYTES || (m.type === 'intro-card' && m.card.length === 0)) {
        throw new SocialError('bad-argument', `card of ${m.card.length} bytes`);
      }
      w.lengthPrefixed(m.card, MAX_CARD_BYTES);
      break;
    case 'group-removed':
    case 'group-leave':
    case 'intro-refuse':
      break;
  }
  return w.finish();
}

function readText(r: ByteReader, what: string, max: number): string | undefined {
  const raw = r.lengthPrefixed(max, what);
  return r.failed ? '' : fromUtf8(raw);
}

function readMembers(r: ByteReader, version: 1 | 2): DecodeResult<GroupMemberInfo[]> {
  const countAt = r.offset;
  const count = r.u8('member count');
  if (r.failed) return r.error!;
  if (count < 1 || count > MAX_GROUP_MEMBERS) return fail('bad-value', countAt, `member count ${count} not in 1..${MAX_GROUP_MEMBERS}`);
  const members: GroupMemberInfo[] = [];
  for (let i = 0; i < count; i++) {
    const index = r.u8('member index');
    const nameAt = r.offset;
    const name = readText(r, 'member name', MAX_NAME_BYTES);
    const senderKey = r.copy(KEY_BYTES, 'sender key');
    if (r.failed) return r.error!;
    if (name === undefined) return fail('bad-encoding', nameAt, 'member name is not UTF-8');
    const mailbox = readMailbox(r, version);
    if (!mailbox.ok) return mailbox;
    if (members.some((m) => m.index === index)) return fail('bad-value', nameAt - 1, `member index ${index} twice`);
    members.push({ index, name, senderKey, mailbox: mailbox.value });
  }
  return ok(members);
}

/** Decodes hostile bytes: a typed result with the offset of the first problem, never a throw. */
export function decodeControl(bytes: Uint8Array): DecodeResult<ControlMessage> {
  const r = new ByteReader(bytes);
  const m0 = r.u8('magic');
  const m1 = r.u8('magic');
  if (r.failed) return r.error!;
  if (m0 !== CONTROL_MAGIC[0] || m1 !== CONTROL_MAGIC[1]) return fail('bad-kind', 0, 'not a social control message');
  const version = r.u8('version');
  if (r.failed) return r.error!;
  if (!READ_VERSIONS.includes(version)) return fail('bad-version', 2, `control version ${version}`);
  const code = r.u8('type');
  const id = r.copy(GROUP_ID_BYTES, 'id');
  if (r.failed) return r.error!;
  const type = (Object.keys(CONTROL_TYPE) as ControlType[]).find((t) => CONTROL_TYPE[t] === code);
  if (!type) return fail('bad-kind', 3, `unknown control type ${code}`);
  const result = decodeBody(r, type, id, version as 1 | 2);
  if (!result.ok) return result;
  r.end('control message');
  if (r.failed) return r.error!;
  return result;
}

function decodeBody(r: ByteReader, type: ControlType, id: Uint8Array, version: 1 | 2): DecodeResult<ControlMessage> {
  switch (type) {
    case 'group-invite': {
      const at = r.offset;
      const name = readText(r, 'group name', MAX_NAME_BYTES);
      if (r.failed) return r.error!;
      return name === undefined ? fail('bad-encoding', at, 'group name is not UTF-8') : ok({ type, groupId: id, name });
    }
    case 'group-join': {
      const mailbox = readMailbox(r, version);
      return mailbox.ok ? ok({ type, groupId: id, mailbox: mailbox.value }) : mailbox;
    }
    case 'group-keys': {
      const epoch = r.u32('epoch');
      const yourIndex = r.u8('your index');
      const at = r.offset;
      const name = readText(r, 'group name', MAX_NAME_BYTES);
      if (r.failed) return r.error!;
      if (name === undefined) return fail('bad-encoding', at, 'group name is not UTF-8');
      const members = readMembers(r, version);
      if (!members.ok) return members;
      if (!members.value.some((m) => m.index === yourIndex)) return fail('bad-value', at - 1, 'your index is not a member');
      return ok({ type, groupId: id, epoch, yourIndex, name, members: members.value });
    }
    case 'group-removed':
    case 'group-leave':
      return ok({ type, groupId: id });
    case 'intro-refuse':
      return ok({ type, introId: id });
    case 'intro-offer': {
      const roleAt = r.offset;
      const role = r.u8('role');
      const at = r.offset;
      const peerName = readText(r, 'name', MAX_NAME_BYTES);
      if (r.failed) return r.error!;
      if (role !== 1 && role !== 2) return fail('bad-value', roleAt, `intro role ${role}`);
      if (peerName === undefined) return fail('bad-encoding', at, 'name is not UTF-8');
      return ok({ type, introId: id, role: role === 1 ? 'invite' : 'answer', peerName });
    }
    case 'intro-accept':
    case 'intro-card': {
      const at = r.offset;
      const card = r.lengthPrefixed(MAX_CARD_BYTES, 'card');
      if (r.failed) return r.error!;
      if (type === 'intro-card' && card.length === 0) return fail('bad-value', at, 'empty card');
      return ok({ type, introId: id, card: card.slice() });
    }
  }
}
