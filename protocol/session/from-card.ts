/**
 * Builds a session from my keys for a contact and the contact's rendez-vous
 * card (protocol/card, whitepaper 3.1): the card carries exactly the three
 * public keys a session needs. Verify the card (signature, invite binding)
 * before calling this; the session itself refuses low-order keys.
 */
import type { CardFields } from '../card/types.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import type { RandomSource } from '../random.ts';
import type { ContactKeyPair, EncryptionKeyPair, LookupKeyPair } from '../keys/keys.ts';
import { Session } from './session.ts';
import type { SessionOptions } from './state.ts';

export interface MyContactKeys {
  readonly contact: ContactKeyPair;
  readonly encryption: EncryptionKeyPair;
  readonly lookup: LookupKeyPair;
}

export function sessionFromCard(
  suite: CryptoSuite, random: RandomSource, mine: MyContactKeys,
  theirCard: Pick<CardFields, 'contactKey' | 'encryptionKey' | 'mailboxId'>,
  options?: Partial<SessionOptions>,
): Session {
  return Session.create(suite, {
    myContact: mine.contact,
    myEncryption: mine.encryption,
    myLookup: mine.lookup,
    theirContact: theirCard.contactKey,
    theirEncryption: theirCard.encryptionKey,
    theirLookup: theirCard.mailboxId,
    ...(options ? { options } : {}),
  }, random);
}
