/**
 * The onion key field of a server descriptor (docs/PROTOCOL.md
 * "Matriochka message packing", "Key rotation"): optional, between the URLs
 * and the signature, so a descriptor without it decodes as before.
 *
 *   +---------------------+------------------+
 *   | onion X25519 pub 32 | valid until u32  |
 *   |                     | sec, Unix        |
 *   +---------------------+------------------+
 *
 * Senders build onions to this key until `validUntilSec`; the relay peels
 * with it until then and forgets it (and its replay tags) after.
 */
import type { ByteReader } from '../codec/reader.ts';
import type { ByteWriter } from '../codec/writer.ts';

export const ONION_KEY_FIELD_BYTES = 32 + 4;

export interface OnionKeyAnnouncement {
  readonly key: Uint8Array;
  readonly validUntilSec: number;
}

export function writeOnionKeyField(w: ByteWriter, onion: OnionKeyAnnouncement): void {
  w.fixed(onion.key, 32).u32(onion.validUntilSec);
}

export function readOnionKeyField(r: ByteReader): OnionKeyAnnouncement {
  const key = r.copy(32, 'onion key');
  const validUntilSec = r.u32('onion key valid until');
  return { key, validUntilSec };
}
