/**
 * The key pairs of the whitepaper (section 2, "Identities and keys") as
 * distinct types that cannot be mixed up: each carries a `role` literal, so
 * passing a lookup key where an encryption key is expected is a type error.
 * Mapping to primitives: DESIGN.md section 3.
 *
 *   Ukp user        private root (local data, device authorisation)  Ed25519 + X25519
 *   Ckp contact     the identity one contact knows you by             Ed25519 + X25519
 *   Ekp encryption  encrypts one conversation, rotated by its owner   X25519
 *   Lkp lookup      public key names a mailbox; private proves fetch  Ed25519
 *   Skp server      requests to a server are sealed to it             X25519 + Ed25519
 *   Dkp device      device-to-device sync and revocation              Ed25519 + X25519
 *
 * Secret halves are never printed: toJSON and the Node inspect hook redact them.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { KEY_BYTES } from '../crypto/suite.ts';
import type { RandomSource } from '../random.ts';

export type KeyRole = 'user' | 'contact' | 'encryption' | 'lookup' | 'server' | 'device';

/** Public half of a signing + agreement pair (Ukp, Ckp, Skp, Dkp). */
export interface DualPublicKey<R extends KeyRole> {
  readonly role: R;
  readonly signing: Uint8Array;   // Ed25519 public key, 32 bytes
  readonly agreement: Uint8Array; // X25519 public key, 32 bytes
}

/** A signing + agreement key pair. Secrets: Ed25519 seed and X25519 scalar. */
export interface DualKeyPair<R extends KeyRole> {
  readonly role: R;
  readonly publicKey: DualPublicKey<R>;
  readonly signingSecret: Uint8Array;
  readonly agreementSecret: Uint8Array;
}

/** Ekp: one X25519 pair. */
export interface EncryptionKeyPair {
  readonly role: 'encryption';
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** Lkp: one Ed25519 pair; the public key names the mailbox. */
export interface LookupKeyPair {
  readonly role: 'lookup';
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export type UserKeyPair = DualKeyPair<'user'>;
export type ContactKeyPair = DualKeyPair<'contact'>;
export type ServerKeyPair = DualKeyPair<'server'>;
export type DeviceKeyPair = DualKeyPair<'device'>;
export type ContactPublicKey = DualPublicKey<'contact'>;
export type ServerPublicKey = DualPublicKey<'server'>;
export type DevicePublicKey = DualPublicKey<'device'>;
export type UserPublicKey = DualPublicKey<'user'>;

const REDACTED = '[secret redacted]';
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** Makes an object holding secrets print without them (JSON.stringify, console.log, util.inspect). */
function redactSecrets<T extends object>(obj: T, publicView: () => unknown): T {
  Object.defineProperty(obj, 'toJSON', { value: publicView, enumerable: false });
  Object.defineProperty(obj, inspectSymbol, { value: () => publicView(), enumerable: false });
  return obj;
}

export function dualKeyPairFromSecrets<R extends KeyRole>(
  suite: CryptoSuite, role: R, signingSecret: Uint8Array, agreementSecret: Uint8Array,
): DualKeyPair<R> {
  const publicKey: DualPublicKey<R> = {
    role,
    signing: suite.ed25519PublicKey(signingSecret),
    agreement: suite.x25519PublicKey(agreementSecret),
  };
  const pair = { role, publicKey, signingSecret: signingSecret.slice(), agreementSecret: agreementSecret.slice() };
  return redactSecrets(pair, () => ({ role, publicKey, secret: REDACTED }));
}

export function generateDualKeyPair<R extends KeyRole>(suite: CryptoSuite, random: RandomSource, role: R): DualKeyPair<R> {
  return dualKeyPairFromSecrets(suite, role, random.bytes(KEY_BYTES), random.bytes(KEY_BYTES));
}

export function encryptionKeyPairFromSecret(suite: CryptoSuite, secretKey: Uint8Array): EncryptionKeyPair {
  const pair = { role: 'encryption' as const, publicKey: suite.x25519PublicKey(secretKey), secretKey: secretKey.slice() };
  return redactSecrets(pair, () => ({ role: pair.role, publicKey: pair.publicKey, secret: REDACTED }));
}

export function generateEncryptionKeyPair(suite: CryptoSuite, random: RandomSource): EncryptionKeyPair {
  return encryptionKeyPairFromSecret(suite, random.bytes(KEY_BYTES));
}

export function lookupKeyPairFromSecret(suite: CryptoSuite, secretKey: Uint8Array): LookupKeyPair {
  const pair = { role: 'lookup' as const, publicKey: suite.ed25519PublicKey(secretKey), secretKey: secretKey.slice() };
  return redactSecrets(pair, () => ({ role: pair.role, publicKey: pair.publicKey, secret: REDACTED }));
}

export function generateLookupKeyPair(suite: CryptoSuite, random: RandomSource): LookupKeyPair {
  return lookupKeyPairFromSecret(suite, random.bytes(KEY_BYTES));
}

export const generateUserKeyPair = (s: CryptoSuite, r: RandomSource): UserKeyPair => generateDualKeyPair(s, r, 'user');
export const generateContactKeyPair = (s: CryptoSuite, r: RandomSource): ContactKeyPair => generateDualKeyPair(s, r, 'contact');
export const generateServerKeyPair = (s: CryptoSuite, r: RandomSource): ServerKeyPair => generateDualKeyPair(s, r, 'server');
export const generateDeviceKeyPair = (s: CryptoSuite, r: RandomSource): DeviceKeyPair => generateDualKeyPair(s, r, 'device');
