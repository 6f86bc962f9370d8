/**
 * Two sides of one conversation built from fresh keys, as the exchange of
 * rendez-vous cards would leave them (whitepaper 3.1): for tests, the
 * simulator and benchmarks. Production code builds each side with
 * Session.create from its own keys and the peer's card.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import {
  type ContactKeyPair, type EncryptionKeyPair, type LookupKeyPair,
  generateContactKeyPair, generateEncryptionKeyPair, generateLookupKeyPair,
} from '../keys/keys.ts';
import type { RandomSource } from '../random.ts';
import { Session, type SessionSetup } from './session.ts';
import type { SessionOptions } from './state.ts';

/** What one side generates for a contact and publishes on its card (public halves). */
export interface SideKeys {
  readonly contact: ContactKeyPair;
  readonly encryption: EncryptionKeyPair;
  readonly lookup: LookupKeyPair;
}

export function generateSideKeys(suite: CryptoSuite, random: RandomSource): SideKeys {
  return {
    contact: generateContactKeyPair(suite, random),
    encryption: generateEncryptionKeyPair(suite, random),
    lookup: generateLookupKeyPair(suite, random),
  };
}

/** The setup for `me` talking to `them`, given both sides' keys (only their public halves of `them` are read). */
export function setupFor(me: SideKeys, them: SideKeys, options?: Partial<SessionOptions>): SessionSetup {
  return {
    myContact: me.contact,
    myEncryption: me.encryption,
    myLookup: me.lookup,
    theirContact: them.contact.publicKey,
    theirEncryption: them.encryption.publicKey,
    theirLookup: them.lookup.publicKey,
    ...(options ? { options } : {}),
  };
}

export interface SessionPair {
  readonly alice: Session;
  readonly bob: Session;
  readonly aliceKeys: SideKeys;
  readonly bobKeys: SideKeys;
}

export function createSessionPair(suite: CryptoSuite, random: RandomSource, options?: Partial<SessionOptions>): SessionPair {
  const aliceKeys = generateSideKeys(suite, random);
  const bobKeys = generateSideKeys(suite, random);
  return {
    alice: Session.create(suite, setupFor(aliceKeys, bobKeys, options), random),
    bob: Session.create(suite, setupFor(bobKeys, aliceKeys, options), random),
    aliceKeys,
    bobKeys,
  };
}
