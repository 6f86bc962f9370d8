/**
 * The social features' state as one versioned JSON value, for the core to
 * keep in the agent document (inside the encrypted vault), and the two entry
 * points the core calls on what arrives: a control message inside a 1:1
 * conversation, and a group or broadcast envelope from the node.
 */
import { EnvelopeKind, versionKindByte } from '../../protocol/envelope/kinds.ts';
import { decodeControl } from './control.ts';
import { type BroadcastVerdict, type BroadcastsState, newBroadcasts, receiveMeshBroadcast } from './broadcasts.ts';
import { type DirectoryState, emptyDirectory } from './directory.ts';
import { SocialError } from './errors.ts';
import { type GroupsState, emptyGroups } from './group-state.ts';
import { type GroupReceive, handleGroupControl, receiveGroupEnvelope } from './groups.ts';
import { type IntroductionsState, emptyIntroductions, handleIntroControl } from './introductions.ts';
import type { CardPort, ContactChannel, SocialEnv } from './ports.ts';

export const SOCIAL_STATE_VERSION = 1;

export interface SocialState {
  readonly version: typeof SOCIAL_STATE_VERSION;
  readonly groups: GroupsState;
  readonly broadcasts: BroadcastsState;
  readonly directory: DirectoryState;
  readonly introductions: IntroductionsState;
}

export function newSocialState(env: SocialEnv): SocialState {
  return {
    version: SOCIAL_STATE_VERSION, groups: emptyGroups(), broadcasts: newBroadcasts(env),
    directory: emptyDirectory(), introductions: emptyIntroductions(),
  };
}

export function serializeSocialState(state: SocialState): string {
  return JSON.stringify(state);
}

/**
 * Reads a stored state. It comes from the vault (authenticated encryption),
 * not from peers, so only its version and shape are checked here: a newer
 * version is refused rather than misread.
 */
export function parseSocialState(text: string): SocialState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SocialError('bad-state', 'social state is not JSON');
  }
  const v = value as Partial<SocialState> | null;
  if (!v || typeof v !== 'object' || v.version !== SOCIAL_STATE_VERSION) {
    throw new SocialError('bad-state', `social state version ${String(v?.version)} is not ${SOCIAL_STATE_VERSION}`);
  }
  if (!v.groups || !v.broadcasts || !v.directory || !v.introductions || typeof v.broadcasts.authorSeed !== 'string') {
    throw new SocialError('bad-state', 'social state is missing a part');
  }
  return v as SocialState;
}

/**
 * A data body that arrived in the conversation with `contactId`. Returns
 * undefined when it is not a social control message (the core handles it),
 * else what happened ("refused: ..." when it changed nothing).
 */
export async function handleSocialControl(
  env: SocialEnv, state: SocialState, ports: { channel: ContactChannel; cards: CardPort }, contactId: string, payload: Uint8Array,
): Promise<string | undefined> {
  const d = decodeControl(payload);
  if (!d.ok) return d.offset < 2 && d.code !== 'truncated' ? undefined : `refused: ${d.message} at ${d.offset}`;
  const msg = d.value;
  if ('groupId' in msg) return handleGroupControl(env, state.groups, ports.channel, contactId, msg);
  return handleIntroControl(env, state.introductions, ports.channel, ports.cards, contactId, msg);
}

export type EnvelopeReceive =
  | { readonly kind: 'group'; readonly result: GroupReceive }
  | { readonly kind: 'broadcast'; readonly result: BroadcastVerdict };

/** A group (0x12) or broadcast (0x13) envelope from the node; undefined for other kinds. `nodeTrusted`: the node's trusted broadcasters. */
export function handleSocialEnvelope(
  env: SocialEnv, state: SocialState, bytes: Uint8Array, nodeTrusted: readonly { key: string; name: string }[] = [],
): EnvelopeReceive | undefined {
  if (bytes[0] === versionKindByte(EnvelopeKind.group)) return { kind: 'group', result: receiveGroupEnvelope(env, state.groups, bytes) };
  if (bytes[0] === versionKindByte(EnvelopeKind.broadcast)) return { kind: 'broadcast', result: receiveMeshBroadcast(env, state.broadcasts, bytes, nodeTrusted) };
  return undefined;
}
