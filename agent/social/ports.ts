/**
 * What the social features need from the rest of the agent and from the
 * node, as small capabilities passed in (never reached for): the core's
 * 1:1 conversations, its card handling, the node's outbox and mesh, and a
 * relay. Each contract is the doc comment; the daemon adapts its real parts
 * to these, the tests pass in-memory ones built on the real protocol code.
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { MailboxAddress } from './control.ts';

/** Time for the social features: milliseconds since the Unix epoch, never going backwards. */
export interface SocialClock {
  now(): number;
}

export interface SocialEnv {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: SocialClock;
}

/**
 * The 1:1 send capability of the agent core: seals `payload` as the data body
 * of an inner message in the conversation with `contactId` and queues it
 * durably (resolves once on disk). Rejects for an unknown contact.
 */
export interface ContactChannel {
  sendControl(contactId: string, payload: Uint8Array): Promise<void>;
}

/**
 * The node port: hands a sealed envelope to the node's durable outbox for one
 * mailbox (over the mesh if the node or a neighbour hosts it, else to its
 * servers), or floods it to every node of the local mesh (router broadcast).
 */
export interface SocialNodePort {
  deliver(to: MailboxAddress, envelope: Uint8Array): Promise<void>;
  meshBroadcast(envelope: Uint8Array): Promise<void>;
}

/**
 * Cards, through the core (whitepaper 3.1): every call makes fresh Ckp, Ekp
 * and Lkp, as a normal invitation does.
 *  - createInvite: a new invitation card; `inviteId` names the pending invite.
 *  - answerInvite: imports someone's invitation (verifies its signature),
 *    creates the contact and returns the answer card to send back.
 *  - completeInvite: the answer to one of my invites arrived; it must bind to
 *    that invite (protocol/card/binding.ts), else it rejects.
 *  - dropInvite: forgets a pending invite (withdrawn, refused).
 */
export interface CardPort {
  createInvite(label: string): Promise<{ readonly inviteId: string; readonly card: Uint8Array }>;
  answerInvite(card: Uint8Array, label: string): Promise<{ readonly contactId: string; readonly answer: Uint8Array }>;
  completeInvite(inviteId: string, answer: Uint8Array, label: string): Promise<{ readonly contactId: string }>;
  dropInvite(inviteId: string): Promise<void>;
}

/** A relay record as the relay returned it: the agent checks the signature itself. */
export interface ListedRecord {
  readonly seq: number;
  readonly record: Uint8Array;
}

/**
 * One relay's public services (docs/PROTOCOL.md, relay requests 06-0b):
 * `relaySigning` is the relay's Ed25519 key every record signature binds.
 * Calls reject with the relay's refusal or when it cannot be reached.
 */
export interface RelaySocialPort {
  readonly url: string;
  relaySigning(): Promise<Uint8Array>;
  postBroadcast(authorSeed: Uint8Array, text: string): Promise<void>;
  listBroadcasts(sinceSeq: number): Promise<readonly ListedRecord[]>;
  publishEntry(entrySeed: Uint8Array, entry: { ttlSec: number; description: string; reach: Uint8Array }): Promise<void>;
  withdrawEntry(entrySeed: Uint8Array): Promise<void>;
  searchEntries(query: string): Promise<readonly Uint8Array[]>;
  randomEntries(count: number): Promise<readonly Uint8Array[]>;
}
