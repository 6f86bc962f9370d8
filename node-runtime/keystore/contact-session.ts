/**
 * The contact file once the conversation has started (payload version 2).
 *
 * Version 1 (contact-file.ts) keeps the Ckp and Ekp secrets made for the
 * card. With the peer's card they recompute root_0 at any time:
 * root_0 = HKDF(X25519(Ckp, Ckp') || X25519(Ekp, Ekp'), ...), so whoever
 * opened the file later could read all recorded epoch-0 traffic and then
 * follow the chain (docs/SECURITY-REVIEW.md H3). startContactSession builds
 * the session from those keys and rewrites the file at once with the
 * session state in their place. After that the file holds only what the
 * live session holds (protocol/session/state-codec.ts); saveContactSession
 * rewrites it after every rotation, so the wiped epochs stay wiped.
 *
 *   { version: 2, role, myCard, peerCard, session: hex(encodeSessionState) }
 *
 * The Ckp signing secret is dropped as well: it signed our card and has
 * no later use (a new card for this contact is a new Ckp).
 */
import { fromHex, toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { UserKeyPair } from '../../protocol/keys/keys.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { sessionFromCard } from '../../protocol/session/from-card.ts';
import type { Session } from '../../protocol/session/session.ts';
import { encodeSessionState, restoreSession } from '../../protocol/session/state-codec.ts';
import type { SessionOptions } from '../../protocol/session/state.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { CONTACT_SESSION_VERSION, hexField, readContactFile, readContactPayload } from './contact-file.ts';
import { KeystoreError } from './errors.ts';
import { sealKeyFile } from './sealed-file.ts';

/** Session states are a few hundred bytes; a cap keeps a hostile file from costing much. */
const MAX_SESSION_STATE_BYTES = 4096;

export interface ContactSession {
  readonly role: 'inviter' | 'answerer';
  /** The card we handed over, exact bytes. */
  readonly myCard: Uint8Array;
  /** The contact's card. */
  readonly peerCard: Uint8Array;
  readonly session: Session;
}

async function writeSessionFile(
  suite: CryptoSuite, random: RandomSource, path: string, ukp: UserKeyPair,
  c: Pick<ContactSession, 'role' | 'myCard' | 'peerCard' | 'session'>,
): Promise<void> {
  const state = encodeSessionState(c.session);
  const payload = utf8(JSON.stringify({
    version: CONTACT_SESSION_VERSION,
    role: c.role,
    myCard: toHex(c.myCard),
    peerCard: toHex(c.peerCard),
    session: toHex(state),
  }));
  state.fill(0);
  const text = await sealKeyFile(suite, random, 'contact', payload, { kdf: 'ukp', ukp });
  payload.fill(0);
  await writeFileAtomic(path, text, { mode: 0o600, overwrite: true });
}

/**
 * Starts the conversation from a contact file that holds both cards: builds
 * the session (protocol/session/from-card.ts) and replaces the file's card
 * keys by the session state before returning. `random` stays with the
 * session (it draws its rotation keys).
 */
export async function startContactSession(
  suite: CryptoSuite, random: RandomSource, path: string, ukp: UserKeyPair, options?: Partial<SessionOptions>,
): Promise<ContactSession> {
  const keys = await readContactFile(suite, path, ukp);
  try {
    if (!keys.peerCard) throw new KeystoreError('bad-file', 'contact file: no card of the contact yet (import the answer first)');
    const peer = decodeCard(suite, keys.peerCard);
    if (!peer.ok) throw new KeystoreError('bad-file', `contact file: the contact's card is invalid: ${peer.message}`);
    const session = sessionFromCard(suite, random, keys, peer.value, options);
    const started: ContactSession = { role: keys.role, myCard: keys.myCard, peerCard: keys.peerCard, session };
    await writeSessionFile(suite, random, path, ukp, started);
    return started;
  } finally {
    // The session copied what it needs; the card keys must not outlive this call in memory either.
    keys.contact.signingSecret.fill(0);
    keys.contact.agreementSecret.fill(0);
    keys.encryption.secretKey.fill(0);
    keys.lookup.secretKey.fill(0);
  }
}

/** Rewrites the file with the session's current state: call after every seal, before sending (state-codec.ts). */
export async function saveContactSession(
  suite: CryptoSuite, random: RandomSource, path: string, ukp: UserKeyPair, contact: ContactSession,
): Promise<void> {
  await writeSessionFile(suite, random, path, ukp, contact);
}

/** Opens a started conversation (version 2 file). */
export async function openContactSession(
  suite: CryptoSuite, random: RandomSource, path: string, ukp: UserKeyPair,
): Promise<ContactSession> {
  const d = await readContactPayload(suite, path, ukp);
  if (d.version !== CONTACT_SESSION_VERSION) {
    throw new KeystoreError('wrong-kind', 'contact file: the conversation has not started (startContactSession)');
  }
  const role = d.role === 'inviter' ? 'inviter' : 'answerer';
  const raw = typeof d.session === 'string' && d.session.length <= 2 * MAX_SESSION_STATE_BYTES ? fromHex(d.session) : undefined;
  if (!raw) throw new KeystoreError('bad-file', 'contact file: session malformed');
  const restored = restoreSession(suite, raw, random);
  raw.fill(0);
  if (!restored.ok) throw new KeystoreError('bad-file', `contact file: session state refused: ${restored.message}`);
  return { role, myCard: hexField(d, 'myCard'), peerCard: hexField(d, 'peerCard'), session: restored.value };
}
