/**
 * A contact's secret state after `meow card create` or `meow card import`:
 * the Ckp, Ekp and Lkp made for this contact, our card, and the contact's
 * card once known. Sealed under the identity (sealed-file.ts, kdf "ukp"),
 * mode 0600, written atomically. The user agent's vault will supersede
 * this file; its payload is a plain versioned JSON object so it can be
 * migrated.
 *
 * Payload version 1 holds the card keys. They re-derive root_0 of the
 * conversation (protocol/session/key-schedule.ts), so they live only until
 * the session starts: contact-session.ts then rewrites the file as version 2,
 * which holds the session state instead and no Ckp or Ekp secret
 * (docs/SECURITY-REVIEW.md H3). readContactFile reads version 1 only.
 */
import { readFile } from 'node:fs/promises';
import { fromHex, fromUtf8, toHex, utf8 } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import {
  type ContactKeyPair, dualKeyPairFromSecrets, type EncryptionKeyPair, encryptionKeyPairFromSecret,
  type LookupKeyPair, lookupKeyPairFromSecret, type UserKeyPair,
} from '../../protocol/keys/keys.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { KeystoreError } from './errors.ts';
import { openKeyFile, sealKeyFile } from './sealed-file.ts';

/** Payload version of a contact file that holds the session state (contact-session.ts). */
export const CONTACT_SESSION_VERSION = 2;

export interface ContactState {
  /** Who started the exchange: we made the invite ('inviter') or answered one ('answerer'). */
  readonly role: 'inviter' | 'answerer';
  readonly contact: ContactKeyPair;
  readonly encryption: EncryptionKeyPair;
  readonly lookup: LookupKeyPair;
  /** The card we handed over (invite or answer), exact bytes. */
  readonly myCard: Uint8Array;
  /** The contact's card, once received. */
  readonly peerCard?: Uint8Array;
}

export async function writeContactFile(
  suite: CryptoSuite, random: RandomSource, path: string, state: ContactState, ukp: UserKeyPair,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  const payload = utf8(JSON.stringify({
    version: 1,
    role: state.role,
    ckpSigning: toHex(state.contact.signingSecret),
    ckpAgreement: toHex(state.contact.agreementSecret),
    ekp: toHex(state.encryption.secretKey),
    lkp: toHex(state.lookup.secretKey),
    myCard: toHex(state.myCard),
    ...(state.peerCard ? { peerCard: toHex(state.peerCard) } : {}),
  }));
  const text = await sealKeyFile(suite, random, 'contact', payload, { kdf: 'ukp', ukp });
  payload.fill(0);
  await writeFileAtomic(path, text, { mode: 0o600, overwrite: options.overwrite ?? false });
}

export function hexField(d: Record<string, unknown>, name: string, length?: number): Uint8Array {
  const v = d[name];
  const bytes = typeof v === 'string' && v.length <= 8192 ? fromHex(v) : undefined;
  if (!bytes || (length !== undefined && bytes.length !== length)) throw new KeystoreError('bad-file', `contact file: ${name} malformed`);
  return bytes;
}

/** The opened payload of a contact file (either version), as a JSON object. */
export async function readContactPayload(suite: CryptoSuite, path: string, ukp: UserKeyPair): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  const payload = await openKeyFile(suite, text, 'contact', { ukp });
  let doc: unknown;
  try {
    doc = JSON.parse(fromUtf8(payload) ?? '');
  } catch {
    throw new KeystoreError('bad-file', 'contact file: payload is not JSON');
  } finally {
    payload.fill(0);
  }
  const d = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  if (d.role !== 'inviter' && d.role !== 'answerer') throw new KeystoreError('bad-file', 'contact file: unknown role');
  return d;
}

export async function readContactFile(suite: CryptoSuite, path: string, ukp: UserKeyPair): Promise<ContactState> {
  const d = await readContactPayload(suite, path, ukp);
  if (d.version === CONTACT_SESSION_VERSION) {
    throw new KeystoreError('wrong-kind', 'contact file: the conversation has started; it holds the session state, no longer the card keys');
  }
  if (d.version !== 1 || (d.role !== 'inviter' && d.role !== 'answerer')) throw new KeystoreError('bad-file', 'contact file: unknown version or role');
  const state: ContactState = {
    role: d.role,
    contact: dualKeyPairFromSecrets(suite, 'contact', hexField(d, 'ckpSigning', 32), hexField(d, 'ckpAgreement', 32)),
    encryption: encryptionKeyPairFromSecret(suite, hexField(d, 'ekp', 32)),
    lookup: lookupKeyPairFromSecret(suite, hexField(d, 'lkp', 32)),
    myCard: hexField(d, 'myCard'),
    ...(d.peerCard === undefined ? {} : { peerCard: hexField(d, 'peerCard') }),
  };
  // Never print the secrets by accident (console.log, JSON.stringify).
  Object.defineProperty(state, 'toJSON', { value: () => ({ role: state.role, secret: '[secret redacted]' }), enumerable: false });
  Object.defineProperty(state, Symbol.for('nodejs.util.inspect.custom'), { value: () => ({ role: state.role, secret: '[secret redacted]' }), enumerable: false });
  return state;
}
