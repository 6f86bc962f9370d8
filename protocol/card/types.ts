/**
 * Rendez-vous card (whitepaper section 3.1 "Adding a contact"): what one
 * person hands another, by QR code, file or copy-paste, to start a
 * conversation. docs/PROTOCOL.md section "keys-cards" has the same diagram.
 *
 *   offset size
 *        0    2  magic "MC" (0x4d 0x43)
 *        2    1  version (0x01)
 *        3    1  kind: 0x01 invite, 0x02 answer
 *        4   32  Ckp Ed25519 public key: who you are to this contact
 *       36   32  Ckp X25519 public key: pairwise secrets with this contact
 *       68   32  Ekp X25519 public key: the initial conversation key
 *      100   32  Lkp Ed25519 public key: the initial mailbox id
 *    [ 132   16  answer only: invite hash = SHA-256("meow-card-invite-v1" 0x00 || invite card)[0..16) ]
 *        .    1  server count n (0..8)
 *        .    .  n server entries (protocol/card/server-url.ts), each with an
 *                optional 16-byte relay key fingerprint (scheme byte | 0x80);
 *                a mesh entry is 0x07 + 8-byte node id, or 0x87 + 32-byte node key
 *        .   64  Ed25519 signature by the Ckp over
 *                "meow-card-v1" 0x00 || every byte above
 *
 * An invite with one https URL of 20 bytes is 4 + 128 + 1 + 22 + 64 = 219 bytes.
 */
import type { ContactPublicKey } from '../keys/keys.ts';
import type { ServerUrl } from './server-url.ts';

export const CARD_MAGIC = new Uint8Array([0x4d, 0x43]);
export const CARD_VERSION = 1;
export const CARD_KINDS = { invite: 1, answer: 2 } as const;
export type CardKind = keyof typeof CARD_KINDS;

export const INVITE_HASH_BYTES = 16;
export const MAX_CARD_SERVERS = 8;
/** Offsets of the fixed fields (the table above). */
export const CARD_OFFSETS = {
  contactSigning: 4,
  contactAgreement: 36,
  encryptionKey: 68,
  mailboxId: 100,
  inviteHash: 132,
} as const;
/** The largest card the caps allow: 4 + 128 + 16 + 1 + 8 * (1 + 2 + 200 + 16) + 64 bytes. */
export const MAX_CARD_BYTES = 1965;

interface CardCommon {
  /** Ckp public key: the identity this contact knows you by. */
  readonly contactKey: ContactPublicKey;
  /** Ekp public key: the contact encrypts its first messages to it. */
  readonly encryptionKey: Uint8Array;
  /** Lkp public key, which names your mailbox on the servers (whitepaper 2.4). */
  readonly mailboxId: Uint8Array;
  /** Where to post messages for you, in order of preference. */
  readonly servers: readonly ServerUrl[];
}

export interface InviteFields extends CardCommon {
  readonly kind: 'invite';
}

export interface AnswerFields extends CardCommon {
  readonly kind: 'answer';
  /** Binds the answer to the one invite it answers (protocol/card/binding.ts). */
  readonly inviteHash: Uint8Array;
}

export type CardFields = InviteFields | AnswerFields;

/** A signed card and the exact bytes it was decoded from or encoded to. */
export type Card = CardFields & {
  readonly signature: Uint8Array;
  readonly bytes: Uint8Array;
};
export type InviteCard = InviteFields & { readonly signature: Uint8Array; readonly bytes: Uint8Array };
export type AnswerCard = AnswerFields & { readonly signature: Uint8Array; readonly bytes: Uint8Array };
