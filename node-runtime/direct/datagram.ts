/**
 * The direct path's datagrams (docs/PROTOCOL.md, "Presence and direct
 * messaging"): a sealed envelope sent straight to a contact's node, and that
 * node's answer. The envelope is the same bytes a relay or a mesh node would
 * carry; the node that receives it files it in the mailbox it names and the
 * agent opens it with the session (tag, AEAD, replay window), exactly as
 * it would open one fetched from a relay. The datagram adds no
 * authentication of its own: it needs none, the envelope carries it.
 *
 *   envelope   offset 0      1
 *              +------+-------------------------------+
 *              | 0x01 | envelope (1..8192 bytes)       |
 *              +------+-------------------------------+
 *
 *   answer     offset 0      1        2                           18
 *              +------+--------+----------------------------------+
 *              | 0x02 | status | envelope id (SHA-256[0..16])     |
 *              +------+--------+----------------------------------+
 *   status: 0 stored, 1 duplicate (already held or seen: a replay),
 *           2 unknown mailbox (no agent here watches it), 3 malformed,
 *           4 busy (the sender's budget is spent)
 *
 * The answer names the envelope by its id, so a sender with several
 * envelopes in flight to one node matches each answer to its envelope; an
 * answer for an envelope not in flight is ignored.
 */
import { type DecodeResult, fail, ok } from '../../protocol/codec/result.ts';
import { ENVELOPE_ID_BYTES } from '../../protocol/envelope/envelope-id.ts';
import { MAX_ENVELOPE_BYTES } from '../../protocol/envelope/kinds.ts';

export const DIRECT_ENVELOPE = 0x01;
export const DIRECT_ANSWER = 0x02;
export const DIRECT_ANSWER_BYTES = 2 + ENVELOPE_ID_BYTES;

export const DIRECT_STATUSES = ['stored', 'duplicate', 'unknown-mailbox', 'malformed', 'busy'] as const;
export type DirectStatus = (typeof DIRECT_STATUSES)[number];

export type DirectDatagram =
  | { readonly type: 'envelope'; readonly envelope: Uint8Array }
  | { readonly type: 'answer'; readonly status: DirectStatus; readonly envelopeId: Uint8Array };

export function encodeDirectEnvelope(envelope: Uint8Array): Uint8Array {
  if (envelope.length === 0 || envelope.length > MAX_ENVELOPE_BYTES) throw new RangeError(`direct: an envelope is 1..${MAX_ENVELOPE_BYTES} bytes`);
  const out = new Uint8Array(1 + envelope.length);
  out[0] = DIRECT_ENVELOPE;
  out.set(envelope, 1);
  return out;
}

export function encodeDirectAnswer(status: DirectStatus, envelopeId: Uint8Array): Uint8Array {
  if (envelopeId.length !== ENVELOPE_ID_BYTES) throw new RangeError(`direct: an envelope id is ${ENVELOPE_ID_BYTES} bytes`);
  const out = new Uint8Array(DIRECT_ANSWER_BYTES);
  out[0] = DIRECT_ANSWER;
  out[1] = DIRECT_STATUSES.indexOf(status);
  out.set(envelopeId, 2);
  return out;
}

/** Hostile bytes give a result, never an exception; the envelope is a view into `bytes`. */
export function decodeDirectDatagram(bytes: Uint8Array): DecodeResult<DirectDatagram> {
  if (bytes.length === 0) return fail('truncated', 0, 'empty datagram');
  if (bytes[0] === DIRECT_ENVELOPE) {
    if (bytes.length === 1) return fail('truncated', 1, 'direct datagram without an envelope');
    if (bytes.length - 1 > MAX_ENVELOPE_BYTES) return fail('too-long', 1 + MAX_ENVELOPE_BYTES, `envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`);
    return ok({ type: 'envelope', envelope: bytes.subarray(1) });
  }
  if (bytes[0] === DIRECT_ANSWER) {
    if (bytes.length < DIRECT_ANSWER_BYTES) return fail('truncated', bytes.length, `an answer is ${DIRECT_ANSWER_BYTES} bytes`);
    if (bytes.length > DIRECT_ANSWER_BYTES) return fail('trailing-bytes', DIRECT_ANSWER_BYTES, `an answer is ${DIRECT_ANSWER_BYTES} bytes`);
    const status = DIRECT_STATUSES[bytes[1]!];
    if (!status) return fail('bad-value', 1, `unknown answer status ${bytes[1]}`);
    return ok({ type: 'answer', status, envelopeId: bytes.slice(2) });
  }
  return fail('bad-kind', 0, `unknown direct datagram type 0x${bytes[0]!.toString(16).padStart(2, '0')}`);
}
