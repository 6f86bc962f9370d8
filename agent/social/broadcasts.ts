/**
 * Emergency broadcast (whitepaper 1.7): a text for everyone on a relay and on
 * the local mesh, kept apart from conversations. Two carriers:
 *
 * - relay: a record signed by its author's key and bound to the relay's key
 *   (protocol/server/records.ts), listed by sequence number. Anyone may post
 *   (the relay rations that), so the signature proves integrity and which
 *   key wrote it, not who holds the key.
 * - mesh: a 0x13 envelope (protocol/envelope/broadcast.ts) flooded by the
 *   router. It carries only the author key's 8-byte id, so it can be
 *   checked, and is shown, only for authors the user trusts (a key typed in,
 *   or one seen signing on a relay and then trusted by the user).
 *
 * Order of work on receipt: decode, signature, expiry, then the replay
 * check, and only then is anything stored or shown.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import { describeError } from '../../protocol/codec/result.ts';
import { broadcastKeyId, openBroadcast, sealBroadcast } from '../../protocol/envelope/broadcast.ts';
import { decodeBroadcast as decodeRelayBroadcast } from '../../protocol/server/records.ts';
import { SocialError } from './errors.ts';
import { hexBytes } from './group-state.ts';
import type { RelaySocialPort, SocialEnv, SocialNodePort } from './ports.ts';

/** The relay keeps broadcasts 3 days (docs/PROTOCOL.md, "Signed records"): older ones are replays. */
export const RELAY_BROADCAST_LIFE_MS = 3 * 24 * 3600_000;
/** Records are created within 10 minutes of the relay's clock; the same slack for ours. */
export const CLOCK_SLACK_MS = 10 * 60_000;
export const DEFAULT_MESH_BROADCAST_TTL_MS = 24 * 3600_000;
export const MAX_KEPT_BROADCASTS = 500;

export interface ReceivedBroadcast {
  /** SHA-256 of the signed bytes, hex: the replay key. */
  readonly id: string;
  readonly source: string;
  /** Ed25519 public key (hex) of the author. */
  readonly author: string;
  readonly authorName?: string;
  readonly text: string;
  readonly expiresAtMs: number;
  readonly receivedAtMs: number;
}

export interface BroadcastsState {
  /** My broadcaster key (Ed25519 seed, hex): a key of its own, linked to none of my contacts. */
  readonly authorSeed: string;
  trusted: { key: string; name: string }[];
  received: ReceivedBroadcast[];
  /** Replay guard: ids of what was accepted, kept until it expires. */
  seen: { id: string; expiresAtMs: number }[];
  relayCursor: Record<string, number>;
}

export function newBroadcasts(env: SocialEnv): BroadcastsState {
  return { authorSeed: toHex(env.random.bytes(32)), trusted: [], received: [], seen: [], relayCursor: {} };
}

export function myBroadcastKey(env: SocialEnv, state: BroadcastsState): Uint8Array {
  return env.suite.ed25519PublicKey(hexBytes(state.authorSeed, 'broadcast seed'));
}

export function trustBroadcaster(state: BroadcastsState, keyHex: string, name: string): void {
  const key = keyHex.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(key)) throw new SocialError('bad-argument', 'a broadcaster key is 64 hex digits (32 bytes)');
  state.trusted = state.trusted.filter((t) => t.key !== key).concat({ key, name });
}

export interface SendBroadcastResult {
  readonly mesh: boolean;
  readonly relays: { url: string; ok: boolean; error?: string }[];
}

/** Sends to the mesh (flooded) and to every relay given; each carrier fails on its own. */
export async function sendBroadcast(
  env: SocialEnv, state: BroadcastsState, carriers: { node?: SocialNodePort; relays: readonly RelaySocialPort[] },
  text: string, ttlMs = DEFAULT_MESH_BROADCAST_TTL_MS,
): Promise<SendBroadcastResult> {
  if (text.length === 0) throw new SocialError('bad-argument', 'an empty broadcast');
  const seed = hexBytes(state.authorSeed, 'broadcast seed');
  const envelope = sealBroadcast(env.suite, seed, text, env.clock.now() + ttlMs);
  let mesh = false;
  if (carriers.node) {
    await carriers.node.meshBroadcast(envelope);
    mesh = true;
  }
  const relays: SendBroadcastResult['relays'] = [];
  for (const relay of carriers.relays) {
    try {
      await relay.postBroadcast(seed, text);
      relays.push({ url: relay.url, ok: true });
    } catch (e) {
      relays.push({ url: relay.url, ok: false, error: (e as Error).message });
    }
  }
  remember(state, envelopeId(env, envelope), env.clock.now() + ttlMs);
  return { mesh, relays };
}

function envelopeId(env: SocialEnv, bytes: Uint8Array): string {
  return toHex(env.suite.sha256(bytes));
}

function remember(state: BroadcastsState, id: string, expiresAtMs: number): void {
  state.seen.push({ id, expiresAtMs });
}

/** Drops what has expired: shown broadcasts and replay ids alike (an expired one is refused anyway). */
export function pruneBroadcasts(env: SocialEnv, state: BroadcastsState): void {
  const now = env.clock.now();
  state.seen = state.seen.filter((s) => s.expiresAtMs > now);
  state.received = state.received.filter((r) => r.expiresAtMs > now).slice(-MAX_KEPT_BROADCASTS);
}

export type BroadcastVerdict =
  | { readonly ok: true; readonly broadcast: ReceivedBroadcast }
  | { readonly ok: false; readonly code: string; readonly message: string };

function accept(env: SocialEnv, state: BroadcastsState, b: ReceivedBroadcast): BroadcastVerdict {
  if (state.seen.some((s) => s.id === b.id)) return { ok: false, code: 'replay', message: 'broadcast already received' };
  remember(state, b.id, b.expiresAtMs);
  state.received.push(b);
  pruneBroadcasts(env, state);
  return { ok: true, broadcast: b };
}

/**
 * A 0x13 envelope heard on the mesh. `nodeTrusted`: the broadcasters the node's operator trusts (its config),
 * shown like the ones the user trusted; the user's own name for a key comes first.
 */
export function receiveMeshBroadcast(
  env: SocialEnv, state: BroadcastsState, bytes: Uint8Array, nodeTrusted: readonly { key: string; name: string }[] = [],
): BroadcastVerdict {
  const keys = [...state.trusted, ...nodeTrusted].map((t) => ({ key: hexBytes(t.key, 'key'), name: t.name }));
  keys.push({ key: myBroadcastKey(env, state), name: 'me' });
  let author: { key: Uint8Array; name: string } | undefined;
  const opened = openBroadcast(env.suite, bytes, (keyId) => {
    const idHex = toHex(keyId);
    author = keys.find((k) => toHex(broadcastKeyId(env.suite, k.key)) === idHex);
    return author?.key;
  }, env.clock.now());
  if (!opened.ok) return { ok: false, code: opened.code, message: opened.message };
  const expiresAtMs = opened.value.expiresAtSeconds * 1000;
  return accept(env, state, {
    id: envelopeId(env, bytes), source: 'mesh', author: toHex(author!.key), authorName: author!.name,
    text: opened.value.text, expiresAtMs, receivedAtMs: env.clock.now(),
  });
}

/** One relay record: signature bound to this relay, then age, then replay. */
export function receiveRelayBroadcast(
  env: SocialEnv, state: BroadcastsState, relayUrl: string, relaySigning: Uint8Array, record: Uint8Array,
): BroadcastVerdict {
  const d = decodeRelayBroadcast(env.suite, relaySigning, record);
  if (!d.ok) return { ok: false, code: d.code, message: describeError(d) };
  const createdMs = d.value.createdSec * 1000;
  const now = env.clock.now();
  if (createdMs > now + CLOCK_SLACK_MS) return { ok: false, code: 'bad-value', message: 'broadcast created in the future' };
  const expiresAtMs = createdMs + RELAY_BROADCAST_LIFE_MS;
  if (expiresAtMs <= now) return { ok: false, code: 'expired', message: 'broadcast has expired' };
  const author = toHex(d.value.author);
  const name = state.trusted.find((t) => t.key === author)?.name;
  return accept(env, state, {
    id: envelopeId(env, d.value.bytes), source: relayUrl, author, ...(name ? { authorName: name } : {}),
    text: d.value.text, expiresAtMs, receivedAtMs: now,
  });
}

/** Fetches what a relay listed since the last poll; returns how many were accepted and refused. */
export async function pollRelayBroadcasts(
  env: SocialEnv, state: BroadcastsState, relay: RelaySocialPort,
): Promise<{ accepted: number; refused: number }> {
  const signing = await relay.relaySigning();
  const items = await relay.listBroadcasts(state.relayCursor[relay.url] ?? 0);
  let accepted = 0;
  let refused = 0;
  for (const it of items) {
    const v = receiveRelayBroadcast(env, state, relay.url, signing, it.record);
    if (v.ok) accepted++; else refused++;
    state.relayCursor[relay.url] = Math.max(state.relayCursor[relay.url] ?? 0, it.seq);
  }
  return { accepted, refused };
}
