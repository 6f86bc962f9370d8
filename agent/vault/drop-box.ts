/**
 * What arrives for a locked compartment: the agent polls a hidden
 * compartment's mailboxes while only the main password is open, and keeps
 * each envelope sealed to that compartment's X25519 "drop key" in the main
 * compartment's pending list. Only the hidden password (which holds the
 * drop secret) opens them.
 *
 *   sealed = ephemeral public key (32) || nonce (24) || XChaCha20-Poly1305(k, envelope) || tag (16)
 *   k      = HKDF-SHA-256(X25519(eph, drop), eph_pub || drop_pub, "meow-vault-1 drop", 32)
 *
 * The sealed envelope lives inside the main compartment's encrypted body,
 * so the ephemeral key need not look random (no Elligator needed).
 */
import { concatBytes, utf8, wipe } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { NONCE_BYTES, TAG_BYTES } from './layout.ts';

const DROP_INFO = utf8('meow-vault-1 drop');
const KEY = 32;
export const DROP_OVERHEAD_BYTES = KEY + NONCE_BYTES + TAG_BYTES;

export function sealToDropKey(suite: CryptoSuite, random: RandomSource, dropPublicKey: Uint8Array, envelope: Uint8Array): Uint8Array {
  const ephemeral = random.bytes(KEY);
  const ephemeralPublic = suite.x25519PublicKey(ephemeral);
  const shared = suite.x25519(ephemeral, dropPublicKey);
  wipe(ephemeral);
  // The drop key is ours (made by createHidden or createVault), never a peer's: a low-order key is a bug.
  if (!shared) throw new RangeError('drop public key is a low-order point');
  const key = suite.hkdf(shared, concatBytes(ephemeralPublic, dropPublicKey), DROP_INFO, KEY);
  wipe(shared);
  const nonce = random.bytes(NONCE_BYTES);
  const sealed = concatBytes(ephemeralPublic, nonce, suite.xaeadSeal(key, nonce, envelope, ephemeralPublic));
  wipe(key);
  return sealed;
}

/** The envelope, or undefined for anything that does not open (never throws). */
export function openFromDropBox(suite: CryptoSuite, dropSecretKey: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  if (sealed.length < DROP_OVERHEAD_BYTES) return undefined;
  const ephemeralPublic = sealed.subarray(0, KEY);
  const shared = suite.x25519(dropSecretKey, ephemeralPublic);
  if (!shared) return undefined;
  const dropPublic = suite.x25519PublicKey(dropSecretKey);
  const key = suite.hkdf(shared, concatBytes(ephemeralPublic, dropPublic), DROP_INFO, KEY);
  wipe(shared);
  const nonce = sealed.subarray(KEY, KEY + NONCE_BYTES);
  const opened = suite.xaeadOpen(key, nonce, sealed.subarray(KEY + NONCE_BYTES), ephemeralPublic);
  wipe(key);
  return opened;
}
