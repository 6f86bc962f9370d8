/**
 * Human fingerprints of contact keys, compared in person (or over a voice
 * call) to rule out a man in the middle of the card exchange. Modelled on
 * Signal's safety numbers (NumericFingerprintGenerator):
 *
 *   key = Ed25519 public (32) || X25519 public (32)
 *   d_0 = SHA-256("meow-fingerprint-v1" || 0x00 || key)
 *   d_i = SHA-256(d_{i-1} || key)          for i = 1 .. 4095
 *   digits: for j = 0, 1, 2: the 5 bytes d[5j .. 5j+5) as a big-endian
 *           integer mod 100000, zero padded to 5 digits
 *   key fingerprint  = "ddddd ddddd ddddd"   (15 digits, 49.8 bits)
 *
 *   pair fingerprint = the two key fingerprints, smaller string first, so
 *                      both sides read the same 30 digits in 6 groups.
 *
 * Why a pair is two halves rather than one hash of both keys: a man in the
 * middle controls one key on each side, and against one hash over both keys
 * he only needs a collision (birthday bound, half the bits). With halves he
 * must find a second preimage of each honest key's fingerprint: 2^49.8
 * tries, each costing 4096 hash iterations (2^12), so about 2^62 hashes.
 * The bias of reducing 40 bits mod 100000 is below 10^-6 per group.
 */
import { concatBytes, utf8 } from '../codec/bytes.ts';
import { KEY_BYTES, type CryptoSuite } from '../crypto/suite.ts';
import { KeyError } from './errors.ts';
import type { DualPublicKey, KeyRole } from './keys.ts';

export const FINGERPRINT_ITERATIONS = 4096;
export const FINGERPRINT_GROUPS = 3;
export const FINGERPRINT_GROUP_DIGITS = 5;
const FINGERPRINT_DOMAIN = concatBytes(utf8('meow-fingerprint-v1'), new Uint8Array([0]));

/** The public halves a fingerprint covers (any signing + agreement key: Ckp in practice). */
export type FingerprintKey = Pick<DualPublicKey<KeyRole>, 'signing' | 'agreement'>;

function keyBytes(key: FingerprintKey): Uint8Array {
  if (key.signing.length !== KEY_BYTES || key.agreement.length !== KEY_BYTES) {
    throw new KeyError('bad-key-length', 'fingerprint: keys must be 32 bytes each');
  }
  return concatBytes(key.signing, key.agreement);
}

function groupsOf(digest: Uint8Array): string[] {
  const groups: string[] = [];
  for (let j = 0; j < FINGERPRINT_GROUPS; j++) {
    let n = 0;
    // 5 bytes = 40 bits: exact in a double (< 2^53).
    for (let k = 0; k < 5; k++) n = n * 256 + (digest[5 * j + k] as number);
    groups.push(String(n % 10 ** FINGERPRINT_GROUP_DIGITS).padStart(FINGERPRINT_GROUP_DIGITS, '0'));
  }
  return groups;
}

/** "12345 67890 12345": the fingerprint of one key. */
export function keyFingerprint(suite: CryptoSuite, key: FingerprintKey): string {
  const k = keyBytes(key);
  let d = suite.sha256(concatBytes(FINGERPRINT_DOMAIN, k));
  const block = new Uint8Array(d.length + k.length);
  block.set(k, d.length);
  for (let i = 1; i < FINGERPRINT_ITERATIONS; i++) {
    block.set(d, 0);
    d = suite.sha256(block);
  }
  return groupsOf(d).join(' ');
}

/** Six groups of five digits, identical on both sides whatever the argument order. */
export function pairFingerprint(suite: CryptoSuite, a: FingerprintKey, b: FingerprintKey): string {
  const fa = keyFingerprint(suite, a);
  const fb = keyFingerprint(suite, b);
  return fa <= fb ? `${fa} ${fb}` : `${fb} ${fa}`;
}
