/**
 * Payloads of the two small control kinds (docs/PROTOCOL.md section "mesh").
 *
 *   ack (kind 2), 8 bytes:               fragment request (kind 3), 8 bytes:
 *   +-----------------+-------------+    +-----------------+------------------------+
 *   | acked key (u32) | proof (4 B) |    | message id (u32)| missing bitmap (u32)   |
 *   +-----------------+-------------+    +-----------------+------------------------+
 *
 * The acked key is the message key of a data frame or the message id of a
 * fragmented message; the proof is frame-auth.ts ackProof. Bit i of the
 * bitmap (bit 0 = least significant) asks again for fragment i.
 */
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, ok } from '../codec/result.ts';
import { ByteWriter } from '../codec/writer.ts';

export const ACK_PAYLOAD_BYTES = 8;
export const FRAGMENT_REQUEST_BYTES = 8;

export interface AckPayload {
  readonly ackedKey: number;
  readonly proof: Uint8Array;
}

export interface FragmentRequestPayload {
  readonly messageId: number;
  /** Bit i set: fragment i is missing. */
  readonly missing: number;
}

export function encodeAck(a: AckPayload): Uint8Array {
  return new ByteWriter(ACK_PAYLOAD_BYTES).u32(a.ackedKey).fixed(a.proof, 4).finish();
}

export function decodeAck(bytes: Uint8Array): DecodeResult<AckPayload> {
  const r = new ByteReader(bytes);
  const ackedKey = r.u32('acked key');
  const proof = r.copy(4, 'ack proof');
  r.end('ack');
  return r.error ?? ok({ ackedKey, proof });
}

export function encodeFragmentRequest(q: FragmentRequestPayload): Uint8Array {
  return new ByteWriter(FRAGMENT_REQUEST_BYTES).u32(q.messageId).u32(q.missing >>> 0).finish();
}

export function decodeFragmentRequest(bytes: Uint8Array): DecodeResult<FragmentRequestPayload> {
  const r = new ByteReader(bytes);
  const messageId = r.u32('message id');
  const missing = r.u32('missing bitmap');
  r.end('fragment request');
  if (r.error) return r.error;
  if (missing === 0) return r.reject('bad-value', 'fragment request asks for nothing');
  return ok({ messageId, missing });
}
