/**
 * Fragments (kind 1): an envelope too big for one frame is cut into at most
 * 32 chunks, each in its own frame (docs/PROTOCOL.md section "mesh").
 *
 *   +-----------------+-----------------+-------+-------+-----------+
 *   | source hint u16 | message id u32  | index | count | chunk ... |
 *   +-----------------+-----------------+-------+-------+-----------+
 *
 * Every chunk but the last has the same length (the first chunk's), so the
 * receiver can place a chunk before it has the others. count is 2..32 and
 * index < count. The source hint lets the receiver bound reassembly memory
 * per source and address its fragment request back to the sender. Bit 7 of
 * the count byte (`sourced`) says the reassembled body is an origin block
 * and the envelope (origin.ts), as frame kind 6 says for one frame; bits
 * 5-6 are zero.
 */
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, ok } from '../codec/result.ts';
import { MeshError } from './errors.ts';

export const FRAGMENT_HEADER_BYTES = 8;
export const MAX_FRAGMENTS = 32;
/** Default cap on a reassembled envelope (issue 3: "up to 4 KiB by default"). */
export const DEFAULT_MAX_ENVELOPE_BYTES = 4096;

export interface Fragment {
  readonly sourceHint: number;
  readonly messageId: number;
  readonly index: number;
  readonly count: number;
  readonly chunk: Uint8Array;
  /** The body is origin block || envelope (origin.ts). */
  readonly sourced?: boolean;
}

const SOURCED_BIT = 0x80;

export function encodeFragment(f: Fragment): Uint8Array {
  if (f.count < 2 || f.count > MAX_FRAGMENTS || f.index < 0 || f.index >= f.count) {
    throw new MeshError('bad-field', `fragment ${f.index}/${f.count}`);
  }
  const out = new Uint8Array(FRAGMENT_HEADER_BYTES + f.chunk.length);
  out[0] = f.sourceHint >>> 8;
  out[1] = f.sourceHint & 0xff;
  out[2] = f.messageId >>> 24;
  out[3] = (f.messageId >>> 16) & 0xff;
  out[4] = (f.messageId >>> 8) & 0xff;
  out[5] = f.messageId & 0xff;
  out[6] = f.index;
  out[7] = f.count | (f.sourced ? SOURCED_BIT : 0);
  out.set(f.chunk, FRAGMENT_HEADER_BYTES);
  return out;
}

export function decodeFragment(bytes: Uint8Array): DecodeResult<Fragment> {
  const r = new ByteReader(bytes);
  const sourceHint = r.u16('source hint');
  const messageId = r.u32('message id');
  const index = r.u8('fragment index');
  const countByte = r.u8('fragment count');
  if (r.error) return r.error;
  const count = countByte & ~SOURCED_BIT;
  if (count < 2 || count > MAX_FRAGMENTS) return r.reject('bad-value', `fragment count ${count}`);
  if (index >= count) return r.reject('bad-value', `fragment index ${index} of ${count}`);
  if (r.remaining === 0) return r.reject('truncated', 'empty fragment chunk');
  return ok({ sourceHint, messageId, index, count, chunk: r.rest(), ...((countByte & SOURCED_BIT) !== 0 && { sourced: true }) });
}

/** Splits an envelope into chunks of at most `chunkBytes` (the last may be shorter). */
export function splitEnvelope(envelope: Uint8Array, chunkBytes: number, maxEnvelopeBytes = DEFAULT_MAX_ENVELOPE_BYTES): Uint8Array[] {
  if (envelope.length > maxEnvelopeBytes) {
    throw new MeshError('envelope-too-large', `envelope of ${envelope.length} bytes over the ${maxEnvelopeBytes}-byte cap`);
  }
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new MeshError('bad-field', `chunk size ${chunkBytes}`);
  const count = Math.ceil(envelope.length / chunkBytes);
  if (count > MAX_FRAGMENTS) {
    throw new MeshError('envelope-too-large', `envelope needs ${count} fragments, at most ${MAX_FRAGMENTS}`);
  }
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < envelope.length; at += chunkBytes) chunks.push(envelope.slice(at, at + chunkBytes));
  return chunks;
}
