/**
 * Proof-of-work stamp, hashcash-like (docs/PROTOCOL.md section "server",
 * "Stamps"): the first contact from an unknown sender, a directory entry
 * and an open emergency broadcast must carry one.
 *
 *   stamp = minute u32 (Unix minutes) | nonce 8
 *   h     = SHA-256("meow/relay/v1/stamp" || server Ed25519 pub || resource || minute || nonce)
 *   valid when h starts with `difficulty` zero bits and |minute - now| <= window
 *
 * `resource` binds the work to one request (deposit: tag || messageId;
 * records: SHA-256 of the record), and the server key binds it to one
 * relay, so a stamp cannot be reused elsewhere; dedup stops its reuse here.
 */
import { concatBytes } from '../codec/bytes.ts';
import { ByteWriter } from '../codec/writer.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import type { RandomSource } from '../random.ts';
import { LABEL, STAMP_NONCE_BYTES } from './constants.ts';
import { RelayUsageError } from './errors.ts';

export const STAMP_BYTES = 4 + STAMP_NONCE_BYTES;
export const MAX_STAMP_DIFFICULTY_BITS = 32;
export const STAMP_WINDOW_MINUTES = 10;

export interface Stamp {
  readonly minute: number;
  readonly nonce: Uint8Array;
}

function stampHash(suite: CryptoSuite, serverSigningPublic: Uint8Array, resource: Uint8Array, stamp: Stamp): Uint8Array {
  const tail = new ByteWriter(STAMP_BYTES).u32(stamp.minute).fixed(stamp.nonce, STAMP_NONCE_BYTES).finish();
  return suite.sha256(concatBytes(LABEL.stamp, serverSigningPublic, resource, tail));
}

/** Number of leading zero bits of a hash. */
export function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function checkStamp(
  suite: CryptoSuite, serverSigningPublic: Uint8Array, resource: Uint8Array, stamp: Stamp, difficultyBits: number, nowMinute: number,
): 'ok' | 'stale' | 'bad-stamp' {
  if (Math.abs(stamp.minute - nowMinute) > STAMP_WINDOW_MINUTES) return 'stale';
  return leadingZeroBits(stampHash(suite, serverSigningPublic, resource, stamp)) >= difficultyBits ? 'ok' : 'bad-stamp';
}

/** Client side: searches for a stamp (expected 2^difficulty hashes). */
export function mintStamp(
  suite: CryptoSuite, random: RandomSource, serverSigningPublic: Uint8Array, resource: Uint8Array, difficultyBits: number, nowMinute: number,
): Stamp {
  if (!Number.isInteger(difficultyBits) || difficultyBits < 0 || difficultyBits > MAX_STAMP_DIFFICULTY_BITS) {
    throw new RelayUsageError(`stamp difficulty must be 0..${MAX_STAMP_DIFFICULTY_BITS}`);
  }
  const nonce = random.bytes(STAMP_NONCE_BYTES);
  for (;;) {
    const stamp = { minute: nowMinute, nonce };
    if (leadingZeroBits(stampHash(suite, serverSigningPublic, resource, stamp)) >= difficultyBits) return { minute: nowMinute, nonce: nonce.slice() };
    // Counter in the last 4 bytes of the nonce; the first 4 stay random.
    for (let i = STAMP_NONCE_BYTES - 1; i >= 0; i--) {
      nonce[i] = ((nonce[i] as number) + 1) & 0xff;
      if (nonce[i] !== 0) break;
    }
  }
}
