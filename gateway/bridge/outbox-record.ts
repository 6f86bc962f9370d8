/**
 * What the gateway keeps in its durable outbox for one Internet-bound
 * envelope: the mailbox tag it goes to, then the envelope.
 *
 *   0       1             1+n
 *   +-------+-------------+------------------+
 *   | n     | tag (n B)   | envelope (rest)  |
 *   +-------+-------------+------------------+
 *   n: tag length, 4..32
 */
import { ByteReader } from '../../protocol/codec/reader.ts';
import { type DecodeResult, ok } from '../../protocol/codec/result.ts';
import { ByteWriter } from '../../protocol/codec/writer.ts';

export interface InternetBound {
  readonly tag: Uint8Array;
  readonly envelope: Uint8Array;
}

export const TAG_MIN_BYTES = 4;
export const TAG_MAX_BYTES = 32;

export function encodeInternetBound(record: InternetBound): Uint8Array {
  if (record.tag.length < TAG_MIN_BYTES || record.tag.length > TAG_MAX_BYTES) {
    throw new RangeError(`mailbox tag must be ${TAG_MIN_BYTES}..${TAG_MAX_BYTES} bytes`);
  }
  return new ByteWriter(record.tag.length + record.envelope.length + 1).u8(record.tag.length).bytes(record.tag).bytes(record.envelope).finish();
}

export function decodeInternetBound(bytes: Uint8Array): DecodeResult<InternetBound> {
  const r = new ByteReader(bytes);
  const n = r.u8('tag length');
  if (!r.failed && (n < TAG_MIN_BYTES || n > TAG_MAX_BYTES)) return r.reject('bad-value', `tag length ${n} outside ${TAG_MIN_BYTES}..${TAG_MAX_BYTES}`);
  const tag = r.copy(n, 'tag');
  const envelope = r.rest();
  if (r.error) return r.error;
  if (envelope.length === 0) return r.reject('truncated', 'empty envelope');
  return ok({ tag, envelope });
}
