/**
 * Card encoder and builders (layout: protocol/card/types.ts). Encoders
 * trust nothing they would later have to refuse: a card they produce
 * always decodes, and misuse throws CardError.
 */
import { concatBytes, constantTimeEqual, utf8 } from '../codec/bytes.ts';
import { ByteWriter } from '../codec/writer.ts';
import { KEY_BYTES, type CryptoSuite } from '../crypto/suite.ts';
import type { ContactKeyPair } from '../keys/keys.ts';
import { isAcceptableEd25519PublicKey, isAcceptableX25519PublicKey } from '../keys/validate.ts';
import { RELAY_KEY_FINGERPRINT_BYTES } from '../server/fingerprint.ts';
import { inviteHash } from './binding.ts';
import { CardError } from './errors.ts';
import { parseServerUrl, type ServerUrl, writeServerUrl } from './server-url.ts';
import {
  type AnswerCard, type Card, CARD_KINDS, CARD_MAGIC, CARD_VERSION, type CardFields, INVITE_HASH_BYTES,
  type InviteCard, MAX_CARD_SERVERS,
} from './types.ts';

/** Domain separation: a card signature can never be mistaken for any other Ckp signature. */
export const CARD_SIGNATURE_DOMAIN = concatBytes(utf8('meow-card-v1'), new Uint8Array([0]));

export function cardSigningInput(unsignedBytes: Uint8Array): Uint8Array {
  return concatBytes(CARD_SIGNATURE_DOMAIN, unsignedBytes);
}

function checkFields(suite: CryptoSuite, fields: CardFields): void {
  const keys: [string, Uint8Array, (k: Uint8Array) => boolean][] = [
    ['Ckp Ed25519', fields.contactKey.signing, isAcceptableEd25519PublicKey],
    ['Ckp X25519', fields.contactKey.agreement, (k) => isAcceptableX25519PublicKey(suite, k)],
    ['Ekp X25519', fields.encryptionKey, (k) => isAcceptableX25519PublicKey(suite, k)],
    ['Lkp Ed25519', fields.mailboxId, isAcceptableEd25519PublicKey],
  ];
  for (const [what, key, acceptable] of keys) {
    if (key.length !== KEY_BYTES || !acceptable(key)) throw new CardError('bad-key', `${what} public key is invalid`);
  }
  if (fields.servers.length > MAX_CARD_SERVERS) {
    throw new CardError('too-many-servers', `a card holds at most ${MAX_CARD_SERVERS} servers`);
  }
  const seen = new Set<string>();
  for (const s of fields.servers) {
    const parsed = parseServerUrl(s.url);
    if (!parsed.ok || parsed.value.url !== s.url) throw new CardError('bad-url', `server URL refused: ${s.url}`);
    if (s.keyFingerprint !== undefined && (s.scheme === 'mesh' || s.keyFingerprint.length !== RELAY_KEY_FINGERPRINT_BYTES)) {
      throw new CardError('bad-url', `relay key fingerprint refused for ${s.url}: ${RELAY_KEY_FINGERPRINT_BYTES} bytes, relays only`);
    }
    if (seen.has(s.url)) throw new CardError('duplicate-server', `server listed twice: ${s.url}`);
    seen.add(s.url);
  }
}

/** Encodes and signs a card with the Ckp's Ed25519 secret. */
export function encodeCard(suite: CryptoSuite, fields: CardFields, contactSigningSecret: Uint8Array): Card {
  checkFields(suite, fields);
  if (!constantTimeEqual(suite.ed25519PublicKey(contactSigningSecret), fields.contactKey.signing)) {
    throw new CardError('key-mismatch', 'the signing secret does not belong to the card\'s contact key');
  }
  const w = new ByteWriter(256);
  w.bytes(CARD_MAGIC).u8(CARD_VERSION).u8(CARD_KINDS[fields.kind]);
  w.fixed(fields.contactKey.signing, KEY_BYTES).fixed(fields.contactKey.agreement, KEY_BYTES);
  w.fixed(fields.encryptionKey, KEY_BYTES).fixed(fields.mailboxId, KEY_BYTES);
  if (fields.kind === 'answer') w.fixed(fields.inviteHash, INVITE_HASH_BYTES);
  w.u8(fields.servers.length);
  for (const s of fields.servers) writeServerUrl(w, s);
  const unsigned = w.finish();
  const signature = suite.ed25519Sign(contactSigningSecret, cardSigningInput(unsigned));
  return { ...fields, signature, bytes: concatBytes(unsigned, signature) };
}

/** Parses user-supplied URLs for a card; throws CardError('bad-url') naming the first bad one. */
export function serverUrls(urls: readonly string[]): ServerUrl[] {
  return urls.map((u) => {
    const parsed = parseServerUrl(u);
    if (!parsed.ok) throw new CardError('bad-url', `server URL "${u}" refused: ${parsed.reason}`);
    return parsed.value;
  });
}

export interface CardKeys {
  /** The new Ckp made for this contact (its secret signs the card). */
  readonly contact: ContactKeyPair;
  /** Public half of the initial Ekp. */
  readonly encryptionKey: Uint8Array;
  /** Public half of the initial Lkp: the mailbox id. */
  readonly mailboxId: Uint8Array;
  readonly servers: readonly string[];
}

export function createInvite(suite: CryptoSuite, keys: CardKeys): InviteCard {
  const card = encodeCard(suite, {
    kind: 'invite', contactKey: keys.contact.publicKey, encryptionKey: keys.encryptionKey,
    mailboxId: keys.mailboxId, servers: serverUrls(keys.servers),
  }, keys.contact.signingSecret);
  return card as InviteCard;
}

/** The answer to an invite that was decoded (and so verified) first. */
export function createAnswer(suite: CryptoSuite, invite: InviteCard, keys: CardKeys): AnswerCard {
  const card = encodeCard(suite, {
    kind: 'answer', contactKey: keys.contact.publicKey, encryptionKey: keys.encryptionKey,
    mailboxId: keys.mailboxId, inviteHash: inviteHash(suite, invite.bytes), servers: serverUrls(keys.servers),
  }, keys.contact.signingSecret);
  return card as AnswerCard;
}
