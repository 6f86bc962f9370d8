/**
 * Invitation and answer (whitepaper 3.1) on contact records: a fresh Ckp,
 * Ekp and Lkp (mailbox) per contact; the answer completes the invitation;
 * both sides then hold a session (protocol/session/from-card.ts) and the
 * card secrets are wiped (docs/SECURITY-REVIEW.md H3). The pair
 * fingerprint is what two people compare in person.
 */
import { checkAnswer } from '../protocol/card/binding.ts';
import { decodeCard } from '../protocol/card/decode.ts';
import { createAnswer, createInvite } from '../protocol/card/encode.ts';
import { CardError } from '../protocol/card/errors.ts';
import type { ServerUrl } from '../protocol/card/server-url.ts';
import type { Card, InviteCard } from '../protocol/card/types.ts';
import { constantTimeEqual, toHex } from '../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../protocol/crypto/suite.ts';
import { pairFingerprint } from '../protocol/keys/fingerprint.ts';
import {
  type ContactKeyPair, dualKeyPairFromSecrets, encryptionKeyPairFromSecret, generateContactKeyPair, generateEncryptionKeyPair,
  generateLookupKeyPair, lookupKeyPairFromSecret,
} from '../protocol/keys/keys.ts';
import type { RandomSource } from '../protocol/random.ts';
import { sessionFromCard, type MyContactKeys } from '../protocol/session/from-card.ts';
import type { Session } from '../protocol/session/session.ts';
import type { SessionOptions } from '../protocol/session/state.ts';
import type { ContactRecord } from './document.ts';
import { AgentCoreError } from './errors.ts';
import { defaultPolicy } from './policy.ts';

export interface CardContext {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly nowMs: number;
  readonly sessionOptions?: Partial<SessionOptions>;
}

function freshKeys(ctx: CardContext): MyContactKeys {
  return {
    contact: generateContactKeyPair(ctx.suite, ctx.random),
    encryption: generateEncryptionKeyPair(ctx.suite, ctx.random),
    lookup: generateLookupKeyPair(ctx.suite, ctx.random),
  };
}

function cardOrRefuse<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof CardError) throw new AgentCoreError('bad-request', error.message);
    throw error;
  }
}

function newRecord(ctx: CardContext, fields: Pick<ContactRecord, 'name' | 'status' | 'role' | 'myCard' | 'policy'>): ContactRecord {
  return {
    id: toHex(ctx.random.bytes(8)), ...fields, messages: [], draft: '', unread: 0, sentSinceRotation: 0, lastRotationAt: ctx.nowMs, pendingControl: [],
  };
}

function wipeKeys(keys: MyContactKeys): void {
  keys.contact.signingSecret.fill(0);
  keys.contact.agreementSecret.fill(0);
  keys.encryption.secretKey.fill(0);
  keys.lookup.secretKey.fill(0);
}

/** A new contact waiting for its answer; `servers` are where this contact will reach me (mesh:// first). */
export function createInvitation(ctx: CardContext, name: string, servers: readonly string[]): { record: ContactRecord; card: InviteCard } {
  const keys = freshKeys(ctx);
  const card = cardOrRefuse(() => createInvite(ctx.suite, {
    contact: keys.contact, encryptionKey: keys.encryption.publicKey, mailboxId: keys.lookup.publicKey, servers,
  }));
  const record = newRecord(ctx, { name, status: 'invited', role: 'inviter', myCard: card.bytes, policy: { mode: 'server', relays: [] } });
  record.pendingKeys = {
    contactSigningSecret: keys.contact.signingSecret, contactAgreementSecret: keys.contact.agreementSecret,
    encryptionSecret: keys.encryption.secretKey, lookupSecret: keys.lookup.secretKey,
  };
  return { record, card };
}

export function decodeCardOrRefuse(suite: CryptoSuite, bytes: Uint8Array): Card {
  const card = decodeCard(suite, bytes);
  if (!card.ok) throw new AgentCoreError('bad-card', `not a valid Meow card: ${card.message}`, { offset: card.offset });
  return card.value;
}

/** Refuses a card that I made (my own invitation or answer handed back to me). */
export function refuseOwnCard(contacts: readonly ContactRecord[], card: Card): void {
  for (const c of contacts) {
    if (c.myCard.length === card.bytes.length && constantTimeEqual(c.myCard, card.bytes)) {
      throw new AgentCoreError('own-invitation', `this is your own ${card.kind} card (for "${c.name}"): give it to your contact, do not import it`);
    }
  }
}

/**
 * Refuses an invitation I already accepted: a second contact for it would
 * give the inviter two answers and me two names for one person.
 */
export function refuseAcceptedInvitation(contacts: readonly ContactRecord[], card: Card): void {
  if (card.kind !== 'invite') return;
  for (const c of contacts) {
    if (c.role === 'answerer' && c.peerCard?.length === card.bytes.length && constantTimeEqual(c.peerCard, card.bytes)) {
      throw new AgentCoreError('card-mismatch', `you already accepted this invitation: it is your contact "${c.name}"`);
    }
  }
}

/** Answers an invitation: the contact is active at once, the answer card goes back to the inviter. */
export function answerInvitation(
  ctx: CardContext, invite: InviteCard, name: string, servers: readonly string[],
): { record: ContactRecord; answer: Card; session: Session } {
  const keys = freshKeys(ctx);
  try {
    const answer = cardOrRefuse(() => createAnswer(ctx.suite, invite, {
      contact: keys.contact, encryptionKey: keys.encryption.publicKey, mailboxId: keys.lookup.publicKey, servers,
    }));
    const session = sessionFromCard(ctx.suite, ctx.random, keys, invite, ctx.sessionOptions);
    const record = newRecord(ctx, { name, status: 'active', role: 'answerer', myCard: answer.bytes, policy: defaultPolicy(invite.servers) });
    record.peerCard = invite.bytes;
    return { record, answer, session };
  } finally {
    wipeKeys(keys);
  }
}

/** The invited contact this answer answers, or a clear refusal. */
export function findInvitation(suite: CryptoSuite, contacts: readonly ContactRecord[], answer: Card): ContactRecord {
  for (const c of contacts) {
    if (c.role !== 'inviter') continue;
    const mine = decodeCard(suite, c.myCard);
    if (!mine.ok || mine.value.kind !== 'invite') continue;
    if (checkAnswer(suite, answer, mine.value as InviteCard).ok) return c;
  }
  throw new AgentCoreError('bad-card', 'this answer card answers none of your invitations (a card passed on by someone else is useless)');
}

/** Completes my invitation with its answer: the session starts and the card secrets are wiped. */
export function completeInvitation(ctx: CardContext, record: ContactRecord, answer: Card): Session {
  if (record.status === 'active') {
    if (record.peerCard && constantTimeEqual(record.peerCard, answer.bytes)) {
      throw new AgentCoreError('card-mismatch', `"${record.name}" already answered with this card`);
    }
    throw new AgentCoreError('card-mismatch', `"${record.name}" already answered with another card`);
  }
  const p = record.pendingKeys!;
  const keys: MyContactKeys = {
    contact: dualKeyPairFromSecrets(ctx.suite, 'contact', p.contactSigningSecret, p.contactAgreementSecret) as ContactKeyPair,
    encryption: encryptionKeyPairFromSecret(ctx.suite, p.encryptionSecret),
    lookup: lookupKeyPairFromSecret(ctx.suite, p.lookupSecret),
  };
  try {
    const session = sessionFromCard(ctx.suite, ctx.random, keys, answer, ctx.sessionOptions);
    record.peerCard = answer.bytes;
    record.status = 'active';
    record.policy = defaultPolicy(answer.servers);
    for (const secret of Object.values(p)) secret.fill(0);
    delete record.pendingKeys;
    return session;
  } finally {
    wipeKeys(keys);
  }
}

/** The words both people compare in person (same on both sides). */
export function contactFingerprint(suite: CryptoSuite, record: ContactRecord): string | undefined {
  if (!record.peerCard) return undefined;
  const mine = decodeCard(suite, record.myCard);
  const theirs = decodeCard(suite, record.peerCard);
  if (!mine.ok || !theirs.ok) return undefined;
  return pairFingerprint(suite, mine.value.contactKey, theirs.value.contactKey);
}

/** The servers on the contact's card (where its mailbox is), in the contact's order. */
export function peerServers(suite: CryptoSuite, record: ContactRecord): readonly ServerUrl[] {
  if (!record.peerCard) return [];
  const card = decodeCard(suite, record.peerCard);
  return card.ok ? card.value.servers : [];
}
