/**
 * Node announce (kind 4, destination 0xFFFF): a node says it exists, what
 * it offers (the server catalog of whitepaper section 6.1), and proves it
 * with its node key. It names a board, never a user.
 *
 *   +-------+--------------+--------------------------+------------------------+
 *   | flags | sequence u32 | node public key (32 B)   | Ed25519 signature (64) |
 *   +-------+--------------+--------------------------+------------------------+
 *   flags: bit 0 hosts mailboxes, bit 1 Internet gateway, bit 2 relays; others 0
 *   signature over "meow-announce-v1" || flags || sequence || public key
 *
 * The node id is derived from the key (node-id.ts), so it is not sent. The
 * sequence (seconds of the announcing node's clock) only grows: a receiver
 * keeps the highest one per node and refuses older or equal ones as replays.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { ByteWriter } from '../codec/writer.ts';
import { MeshError } from './errors.ts';

export const ANNOUNCE_PAYLOAD_BYTES = 101;
const SIGNED_LABEL = new TextEncoder().encode('meow-announce-v1');

export const AnnounceFlag = { mailboxHost: 1, gateway: 2, relay: 4 } as const;
const KNOWN_FLAGS = 7;

export interface Announce {
  readonly flags: number;
  readonly sequence: number;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

function signedBytes(flags: number, sequence: number, publicKey: Uint8Array): Uint8Array {
  return new ByteWriter(SIGNED_LABEL.length + 37).bytes(SIGNED_LABEL).u8(flags).u32(sequence).fixed(publicKey, 32).finish();
}

/** Builds and signs an announce with the node's Ed25519 seed. */
export function signAnnounce(suite: CryptoSuite, nodeSeed: Uint8Array, flags: number, sequence: number): Announce {
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new MeshError('bad-field', `announce flags ${flags}`);
  const publicKey = suite.ed25519PublicKey(nodeSeed);
  return { flags, sequence, publicKey, signature: suite.ed25519Sign(nodeSeed, signedBytes(flags, sequence, publicKey)) };
}

export function encodeAnnounce(a: Announce): Uint8Array {
  return new ByteWriter(ANNOUNCE_PAYLOAD_BYTES).u8(a.flags).u32(a.sequence).fixed(a.publicKey, 32).fixed(a.signature, 64).finish();
}

/** Decodes the layout only; call verifyAnnounce before trusting it. */
export function decodeAnnounce(bytes: Uint8Array): DecodeResult<Announce> {
  const r = new ByteReader(bytes);
  const flags = r.u8('announce flags');
  const sequence = r.u32('announce sequence');
  const publicKey = r.copy(32, 'node public key');
  const signature = r.copy(64, 'announce signature');
  r.end('announce');
  if (r.error) return r.error;
  if ((flags & ~KNOWN_FLAGS) !== 0) return fail('bad-value', 0, `unknown announce flags ${flags}`);
  return ok({ flags, sequence, publicKey, signature });
}

export function verifyAnnounce(suite: CryptoSuite, a: Announce): boolean {
  return suite.ed25519Verify(a.publicKey, signedBytes(a.flags, a.sequence, a.publicKey), a.signature);
}
