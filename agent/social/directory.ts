/**
 * "Free for chat" directory (whitepaper 1.9): publish a short description on
 * a relay, browse or pick at random, and start a conversation from an entry.
 *
 * An entry reveals nothing but what it says: it is signed by a fresh entry key
 * (protocol/server/records.ts) and its `reach` is an invitation card of a
 * fresh contact identity (fresh Ckp, Ekp and mailbox, whitepaper 3.1), made
 * by the core for this entry alone. Answering it is an ordinary answer to an
 * invitation, so the two people share nothing else. The answer card goes
 * back sealed to the invitation's Ekp, dropped into the invitation's mailbox
 * over the mesh or a relay the card names (answer-drop.ts); the publisher's
 * agent completes the contact when it arrives. An invitation is single use:
 * the first answer makes the contact and the entry is withdrawn
 * (entryAnswered); publish again to meet someone else.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { MAX_DIRECTORY_REACH_BYTES, MAX_DIRECTORY_TTL_SECONDS } from '../../protocol/server/constants.ts';
import { decodeDirectoryEntry } from '../../protocol/server/records.ts';
import { SocialError } from './errors.ts';
import { hexBytes } from './group-state.ts';
import type { CardPort, RelaySocialPort, SocialEnv } from './ports.ts';

export const DEFAULT_ENTRY_TTL_SEC = 7 * 86_400;
export const BROWSE_LIMIT = 20;
export const RANDOM_DRAW = 8;

export interface PublishedEntry {
  readonly relayUrl: string;
  /** The entry key's Ed25519 seed: only it can withdraw the entry. */
  readonly entrySeed: string;
  readonly inviteId: string;
  readonly description: string;
  readonly publishedAtMs: number;
  readonly ttlSec: number;
}

export interface FoundEntry {
  /** SHA-256 of the signed entry, first 8 bytes in hex: what the user types to pick it. */
  readonly id: string;
  readonly relayUrl: string;
  readonly description: string;
  readonly createdSec: number;
  readonly expiresAtMs: number;
  /** The invitation card (hex) carried in `reach`. */
  readonly card: string;
}

export interface DirectoryState {
  published: PublishedEntry[];
  /** The last entries browsed, so that `contact <id>` needs no second request. */
  found: FoundEntry[];
}

export function emptyDirectory(): DirectoryState {
  return { published: [], found: [] };
}

export async function publishEntry(
  env: SocialEnv, state: DirectoryState, relay: RelaySocialPort, cards: CardPort, description: string, ttlSec = DEFAULT_ENTRY_TTL_SEC,
): Promise<PublishedEntry> {
  if (!Number.isInteger(ttlSec) || ttlSec < 1 || ttlSec > MAX_DIRECTORY_TTL_SECONDS) {
    throw new SocialError('bad-argument', `ttl must be 1..${MAX_DIRECTORY_TTL_SECONDS} seconds`);
  }
  if (state.published.some((p) => p.relayUrl === relay.url)) {
    throw new SocialError('bad-argument', `already published on ${relay.url}: withdraw first`);
  }
  const invite = await cards.createInvite(`directory: ${description}`);
  try {
    if (invite.card.length > MAX_DIRECTORY_REACH_BYTES) {
      throw new SocialError('bad-argument', `the invitation card is ${invite.card.length} bytes, a directory entry holds ${MAX_DIRECTORY_REACH_BYTES} (fewer or shorter server URLs)`);
    }
    const seed = env.random.bytes(32);
    await relay.publishEntry(seed, { ttlSec, description, reach: invite.card });
    const entry: PublishedEntry = {
      relayUrl: relay.url, entrySeed: toHex(seed), inviteId: invite.inviteId, description, publishedAtMs: env.clock.now(), ttlSec,
    };
    state.published.push(entry);
    return entry;
  } catch (e) {
    await cards.dropInvite(invite.inviteId); // nothing half-made is left behind
    throw e;
  }
}

export async function withdrawEntry(state: DirectoryState, relay: RelaySocialPort, cards: CardPort): Promise<void> {
  const entry = state.published.find((p) => p.relayUrl === relay.url);
  if (!entry) throw new SocialError('not-published', `nothing published on ${relay.url}`);
  await relay.withdrawEntry(hexBytes(entry.entrySeed, 'entry seed'));
  state.published = state.published.filter((p) => p !== entry);
  await cards.dropInvite(entry.inviteId);
}

/** The published entry whose invitation this is, if any (only those take answers dropped into their mailbox). */
export function publishedFor(state: DirectoryState, inviteId: string): PublishedEntry | undefined {
  return state.published.find((p) => p.inviteId === inviteId);
}

/**
 * An answer came for one of my entries' invitations: the entry leaves my state at once (single use), before the
 * contact is made and saved, so a withdrawal asked meanwhile is not sent to the relay for an entry already
 * answered. Undefined when the invitation is not one of my entries; `putBack` if the answer is refused.
 */
export function takeAnswered(state: DirectoryState, inviteId: string): PublishedEntry | undefined {
  const entry = publishedFor(state, inviteId);
  if (entry) state.published = state.published.filter((p) => p !== entry);
  return entry;
}

export function putBack(state: DirectoryState, entry: PublishedEntry): void {
  state.published = [...state.published, entry];
}

/** Withdraws an answered entry from its relay: a relay out of reach leaves only an entry nobody can answer again, until its expiry. */
export async function withdrawAnswered(entry: PublishedEntry, relayFor: (url: string) => RelaySocialPort | undefined): Promise<void> {
  await relayFor(entry.relayUrl)?.withdrawEntry(hexBytes(entry.entrySeed, 'entry seed'));
}

/** Checks each entry (signature bound to this relay, expiry, a valid invitation card inside); drops the rest and my own. */
function verifyEntries(env: SocialEnv, state: DirectoryState, relayUrl: string, signing: Uint8Array, raw: readonly Uint8Array[]): FoundEntry[] {
  const now = env.clock.now();
  const mine = state.published.map((p) => toHex(env.suite.ed25519PublicKey(hexBytes(p.entrySeed, 'entry seed'))));
  const out: FoundEntry[] = [];
  for (const bytes of raw) {
    const d = decodeDirectoryEntry(env.suite, signing, bytes);
    if (!d.ok || mine.includes(toHex(d.value.entryKey))) continue;
    const expiresAtMs = (d.value.createdSec + d.value.ttlSec) * 1000;
    if (expiresAtMs <= now) continue;
    const card = decodeCard(env.suite, d.value.reach);
    if (!card.ok || card.value.kind !== 'invite') continue;
    const id = toHex(env.suite.sha256(d.value.bytes).slice(0, 8));
    if (out.some((e) => e.id === id)) continue;
    out.push({ id, relayUrl, description: d.value.description, createdSec: d.value.createdSec, expiresAtMs, card: toHex(d.value.reach) });
  }
  state.found = state.found.filter((f) => f.relayUrl !== relayUrl).concat(out);
  return out;
}

export async function browseDirectory(env: SocialEnv, state: DirectoryState, relay: RelaySocialPort, query = ''): Promise<FoundEntry[]> {
  return verifyEntries(env, state, relay.url, await relay.relaySigning(), await relay.searchEntries(query));
}

/** Uniform integer in [0, n) from the injected randomness (rejection sampling, no modulo bias). */
export function uniformIndex(env: SocialEnv, n: number): number {
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  for (;;) {
    const b = env.random.bytes(4);
    const v = ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
    if (v < limit) return v % n;
  }
}

/** Asks the relay for a few random entries and picks one of those that verify, with my own randomness. */
export async function randomEntry(env: SocialEnv, state: DirectoryState, relay: RelaySocialPort): Promise<FoundEntry | undefined> {
  const found = verifyEntries(env, state, relay.url, await relay.relaySigning(), await relay.randomEntries(RANDOM_DRAW));
  return found.length === 0 ? undefined : found[uniformIndex(env, found.length)];
}

/**
 * Answers the invitation of an entry found before: a new contact with fresh
 * keys on my side too; `deliverAnswer` drops the answer into the mailbox the
 * invitation names (answer-drop.ts), durably queued before it resolves.
 */
export async function contactEntry(
  state: DirectoryState, cards: CardPort, entryId: string, deliverAnswer: (invite: Uint8Array, answer: Uint8Array) => Promise<void>,
): Promise<{ contactId: string; description: string }> {
  const entry = state.found.find((f) => f.id === entryId.toLowerCase());
  if (!entry) throw new SocialError('unknown-entry', `no directory entry ${entryId} (browse first)`);
  const invite = hexBytes(entry.card, 'card');
  const { contactId, answer } = await cards.answerInvite(invite, `directory: ${entry.description}`);
  await deliverAnswer(invite, answer);
  state.found = state.found.filter((f) => f !== entry);
  return { contactId, description: entry.description };
}
