/**
 * The onion packet on a relay door (docs/PROTOCOL.md "Matriochka message
 * packing"). Every packet of a class has one size, so its length names
 * the class and nothing else:
 *
 *   0      1                33          49                         49+25H          49+25H+P
 *   +------+----------------+-----------+--------------------------+----------------+
 *   | 0x03 | alpha          | gamma     | beta: H routing entries  | delta: payload |
 *   | type | X25519 32      | MAC 16    | 25 x H, encrypted        | P, encrypted   |
 *   +------+----------------+-----------+--------------------------+----------------+
 *   H, P: the class (constants.ts): radio 3, 104 (228 bytes); short 5, 384 (558); long 5, 4224 (4398)
 *
 *   routing entry (as hop i reads it, after removing its keystream):
 *   +-----------------+-------------------+----------------------+
 *   | code u8         | next relay id 8   | gamma of next hop 16 |
 *   | F | delay (7)   | (random if final) | (random if final)    |
 *   +-----------------+-------------------+----------------------+
 *
 *   accepted answer:  0x84 | replyId 8   (replyId = alpha[0..8], as sealed requests)
 * A refused packet is answered with the server's clear refusal frame (0x83).
 */
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { REPLY_ID_BYTES } from '../server/constants.ts';
import {
  classOfLength, ONION_ACCEPTED_FRAME_TYPE, ONION_ALPHA_BYTES, ONION_FIXED_BYTES, ONION_FRAME_TYPE, ONION_MAC_BYTES,
  type OnionClass, onionPacketBytes, routingBytes,
} from './constants.ts';
import { OnionUsageError } from './errors.ts';

export interface OnionPacket {
  readonly onionClass: OnionClass;
  readonly alpha: Uint8Array;
  readonly gamma: Uint8Array;
  readonly beta: Uint8Array;
  readonly delta: Uint8Array;
}

export function encodeOnionPacket(p: OnionPacket): Uint8Array {
  const c = p.onionClass;
  if (p.alpha.length !== ONION_ALPHA_BYTES || p.gamma.length !== ONION_MAC_BYTES
    || p.beta.length !== routingBytes(c) || p.delta.length !== c.payloadBytes) {
    throw new OnionUsageError('onion packet fields do not match its class');
  }
  const out = new Uint8Array(onionPacketBytes(c));
  out[0] = ONION_FRAME_TYPE;
  out.set(p.alpha, 1);
  out.set(p.gamma, 1 + ONION_ALPHA_BYTES);
  out.set(p.beta, ONION_FIXED_BYTES);
  out.set(p.delta, ONION_FIXED_BYTES + p.beta.length);
  return out;
}

/** Splits a frame into its fields (copies). Checks type and class size only: the MAC is peel.ts's work. */
export function decodeOnionPacket(bytes: Uint8Array): DecodeResult<OnionPacket> {
  if (bytes.length < 1) return fail('truncated', 0, 'empty frame');
  if (bytes[0] !== ONION_FRAME_TYPE) return fail('bad-kind', 0, `frame type ${bytes[0]} is not an onion packet`);
  const onionClass = classOfLength(bytes.length);
  if (!onionClass) return fail('bad-value', bytes.length, `no onion class has ${bytes.length} bytes`);
  const betaEnd = ONION_FIXED_BYTES + routingBytes(onionClass);
  return ok({
    onionClass,
    alpha: bytes.slice(1, 1 + ONION_ALPHA_BYTES),
    gamma: bytes.slice(1 + ONION_ALPHA_BYTES, ONION_FIXED_BYTES),
    beta: bytes.slice(ONION_FIXED_BYTES, betaEnd),
    delta: bytes.slice(betaEnd),
  });
}

/** The reply id a door pairs the answer with: the first 8 bytes of alpha (random, fresh per hop). */
export function onionReplyId(bytes: Uint8Array): Uint8Array {
  return bytes.length >= 1 + REPLY_ID_BYTES ? bytes.slice(1, 1 + REPLY_ID_BYTES) : new Uint8Array(REPLY_ID_BYTES);
}

export function encodeOnionAccepted(replyId: Uint8Array): Uint8Array {
  if (replyId.length !== REPLY_ID_BYTES) throw new OnionUsageError(`reply id must be ${REPLY_ID_BYTES} bytes`);
  const out = new Uint8Array(1 + REPLY_ID_BYTES);
  out[0] = ONION_ACCEPTED_FRAME_TYPE;
  out.set(replyId, 1);
  return out;
}

/** True when `bytes` is exactly the accepted answer for `replyId`. */
export function isOnionAccepted(bytes: Uint8Array, replyId: Uint8Array): boolean {
  if (bytes.length !== 1 + REPLY_ID_BYTES || bytes[0] !== ONION_ACCEPTED_FRAME_TYPE) return false;
  for (let i = 0; i < REPLY_ID_BYTES; i++) if (bytes[1 + i] !== replyId[i]) return false;
  return true;
}
