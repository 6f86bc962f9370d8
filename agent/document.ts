/**
 * The agent document: everything one compartment of the vault holds for
 * the agent (the main compartment also holds the identity). It is saved as
 * UTF-8 JSON, bytes as hex, inside the vault's encrypted slot, so its size
 * and content never show on disk.
 *
 *   { "v": 2, "identity"?: {...}, "devices": [], "contacts": [...], "groups": [], "social"?: "..." }
 *
 * Version 2 adds `social` (agent/social/social-state.ts, its own versioned
 * JSON text); a version 1 document reads as one without it. `devices` (the identity on several devices, Dkp) and `groups`
 * are kept as given so a later agent's data is not lost by this one.
 * Decoding hostile or damaged bytes returns a result, never throws.
 */
import { fromHex, fromUtf8, toHex, utf8 } from '../protocol/codec/bytes.ts';
import { type DecodeResult, fail, ok } from '../protocol/codec/result.ts';
import type { ContactPolicy, MessageState } from '../seams/local-api.ts';
import type { DeliveryPath } from '../seams/node-port.ts';

export const AGENT_DOCUMENT_VERSION = 2;
/** History kept per contact in the vault (older messages are dropped first: a vault slot has a fixed size). */
export const MAX_HISTORY_PER_CONTACT = 200;

export interface IdentityRecord {
  readonly userSigningSecret: Uint8Array;
  readonly userAgreementSecret: Uint8Array;
  readonly createdAt: number;
  readonly deviceId: Uint8Array;
}

export interface PendingInviteKeys {
  readonly contactSigningSecret: Uint8Array;
  readonly contactAgreementSecret: Uint8Array;
  readonly encryptionSecret: Uint8Array;
  readonly lookupSecret: Uint8Array;
}

export interface MessageRecord {
  /** epoch (8 hex) + counter (8 hex). */
  readonly id: string;
  readonly direction: 'out' | 'in';
  readonly text: string;
  readonly at: number;
  state?: MessageState;
  failure?: string;
  /** The path that took an outgoing message (straight to the contact's node, the mesh, a relay). */
  via?: DeliveryPath;
  /** Node receipts of the copies handed over (one per route). */
  receipts: string[];
  /** The sealed envelope until the node accepted it (a crash in between resubmits it). */
  pendingEnvelope?: Uint8Array;
}

export interface ContactRecord {
  readonly id: string;
  name: string;
  status: 'invited' | 'active';
  readonly role: 'inviter' | 'answerer';
  readonly myCard: Uint8Array;
  peerCard?: Uint8Array;
  /** While invited: the card's secrets (wiped once the session starts, docs/SECURITY-REVIEW.md H3). */
  pendingKeys?: PendingInviteKeys;
  /** protocol/session/state-codec.ts bytes once active. */
  session?: Uint8Array;
  policy: ContactPolicy;
  messages: MessageRecord[];
  draft: string;
  unread: number;
  sentSinceRotation: number;
  lastRotationAt: number;
  /** Control messages (receipts, rotation acks) handed over but not yet accepted by the node. */
  pendingControl: Uint8Array[];
}

export interface AgentDocument {
  identity?: IdentityRecord;
  devices: unknown[];
  contacts: ContactRecord[];
  groups: unknown[];
  /** The social features' state (serializeSocialState), main compartment only. */
  social?: string;
}

export function emptyDocument(): AgentDocument {
  return { devices: [], contacts: [], groups: [] };
}

function bytesToJson(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { hex: toHex(value) } : value;
}

export function encodeAgentDocument(doc: AgentDocument): Uint8Array {
  return utf8(JSON.stringify({ v: AGENT_DOCUMENT_VERSION, ...doc }, bytesToJson));
}

type Json = Record<string, unknown>;

function revive(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const hex = (value as Json).hex;
    if (keys.length === 1 && typeof hex === 'string') return fromHex(hex) ?? value;
  }
  return value;
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isText = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function contactProblem(c: Json): string | undefined {
  if (!isText(c.id) || !isText(c.name) || !isBytes(c.myCard)) return 'id, name or card missing';
  if (c.status !== 'invited' && c.status !== 'active') return 'bad status';
  if (c.role !== 'inviter' && c.role !== 'answerer') return 'bad role';
  if (c.status === 'active' && !isBytes(c.session)) return 'active contact without a session';
  if (c.status === 'invited' && !c.pendingKeys) return 'invited contact without its keys';
  if (!Array.isArray(c.messages) || !Array.isArray(c.pendingControl)) return 'messages missing';
  if (!c.policy || typeof c.policy !== 'object') return 'policy missing';
  if (!isCount(c.unread) || !isCount(c.sentSinceRotation) || !isCount(c.lastRotationAt)) return 'bad counters';
  return undefined;
}

/** An empty input is a fresh compartment: an empty document. */
export function decodeAgentDocument(bytes: Uint8Array): DecodeResult<AgentDocument> {
  if (bytes.length === 0) return ok(emptyDocument());
  const text = fromUtf8(bytes);
  if (text === undefined) return fail('bad-encoding', 0, 'agent document is not UTF-8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, revive);
  } catch {
    return fail('bad-encoding', 0, 'agent document is not JSON');
  }
  if (!parsed || typeof parsed !== 'object') return fail('bad-value', 0, 'agent document is not an object');
  const d = parsed as Json;
  if (d.v !== AGENT_DOCUMENT_VERSION && d.v !== 1) return fail('bad-version', 0, `agent document version ${String(d.v)} is not ${AGENT_DOCUMENT_VERSION}`);
  if (!Array.isArray(d.contacts) || !Array.isArray(d.devices) || !Array.isArray(d.groups)) {
    return fail('bad-value', 0, 'agent document lacks contacts, devices or groups');
  }
  for (const [i, c] of (d.contacts as unknown[]).entries()) {
    const problem = c && typeof c === 'object' ? contactProblem(c as Json) : 'not an object';
    if (problem) return fail('bad-value', 0, `contact ${i}: ${problem}`);
  }
  const identity = d.identity as Json | undefined;
  if (identity !== undefined && (!isBytes(identity.userSigningSecret) || !isBytes(identity.userAgreementSecret) || !isBytes(identity.deviceId))) {
    return fail('bad-value', 0, 'identity is damaged');
  }
  const doc: AgentDocument = {
    devices: d.devices as unknown[], contacts: d.contacts as ContactRecord[], groups: d.groups as unknown[],
    ...(identity ? { identity: identity as unknown as IdentityRecord } : {}),
    ...(typeof d.social === 'string' ? { social: d.social } : {}),
  };
  return ok(doc);
}
