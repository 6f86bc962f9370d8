/**
 * Outer frames: what every door carries (HTTP body, UDP datagram, MQTT
 * payload). docs/PROTOCOL.md section "server", "Frames".
 *
 * Request frames (client to relay):
 *   sealed request       0x01 | serverId 8 | ephemeral X25519 public 32 | AEAD ciphertext || tag 16
 *   descriptor query     0x02 | queryId 8 | zero padding (optional, for datagram doors)
 * Response frames (relay to client):
 *   sealed response      0x81 | replyId 8 | XChaCha nonce 24 | AEAD ciphertext || tag 16
 *   descriptor           0x82 | replyId 8 | signed server descriptor
 *   clear refusal        0x83 | replyId 8 | status u8 | message (varint length, UTF-8, <= 200)
 *
 * replyId is the first 8 bytes of the ephemeral key (sealed request) or the
 * queryId: random, so it links nothing, and lets datagram and MQTT clients
 * pair answers with questions. A clear refusal is sent only when the relay
 * could not open the request (wrong server, bad seal, malformed frame), so
 * it reveals nothing the sender did not already know.
 */
import { ByteReader } from '../codec/reader.ts';
import { ByteWriter } from '../codec/writer.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { fromUtf8, utf8 } from '../codec/bytes.ts';
import { AEAD_TAG_BYTES, KEY_BYTES, XAEAD_NONCE_BYTES } from '../crypto/suite.ts';
import {
  MAX_DESCRIPTOR_BYTES, MAX_ERROR_MESSAGE_BYTES, MAX_REQUEST_FRAME_BYTES, MAX_RESPONSE_FRAME_BYTES, REPLY_ID_BYTES,
  SERVER_ID_BYTES,
} from './constants.ts';
import { type RelayErrorCode, RELAY_STATUS, statusName } from './errors.ts';

export const FRAME = {
  sealedRequest: 0x01,
  descriptorQuery: 0x02,
  sealedResponse: 0x81,
  descriptor: 0x82,
  refusal: 0x83,
} as const;

export const SEALED_REQUEST_HEADER_BYTES = 1 + SERVER_ID_BYTES + KEY_BYTES;
export const SEALED_RESPONSE_HEADER_BYTES = 1 + REPLY_ID_BYTES + XAEAD_NONCE_BYTES;

export type RequestFrame =
  | { readonly type: 'sealed'; readonly serverId: Uint8Array; readonly ephemeralPublic: Uint8Array;
      readonly header: Uint8Array; readonly ciphertext: Uint8Array }
  | { readonly type: 'descriptor-query'; readonly queryId: Uint8Array };

export type ResponseFrame =
  | { readonly type: 'sealed'; readonly replyId: Uint8Array; readonly nonce: Uint8Array;
      readonly header: Uint8Array; readonly ciphertext: Uint8Array }
  | { readonly type: 'descriptor'; readonly replyId: Uint8Array; readonly descriptor: Uint8Array }
  | { readonly type: 'refusal'; readonly replyId: Uint8Array; readonly code: RelayErrorCode; readonly message: string };

/**
 * The reply id a refusal should carry for these request bytes, read without
 * decoding the rest (for refusals of frames too large or too fast to open);
 * zeros when the frame is too short to have one.
 */
export function replyIdOf(bytes: Uint8Array): Uint8Array {
  if (bytes[0] === FRAME.sealedRequest && bytes.length >= SEALED_REQUEST_HEADER_BYTES) {
    return bytes.slice(1 + SERVER_ID_BYTES, 1 + SERVER_ID_BYTES + REPLY_ID_BYTES);
  }
  if (bytes[0] === FRAME.descriptorQuery && bytes.length >= 1 + REPLY_ID_BYTES) return bytes.slice(1, 1 + REPLY_ID_BYTES);
  return new Uint8Array(REPLY_ID_BYTES);
}

export function decodeRequestFrame(bytes: Uint8Array): DecodeResult<RequestFrame> {
  if (bytes.length > MAX_REQUEST_FRAME_BYTES) return fail('too-long', 0, `frame of ${bytes.length} bytes exceeds ${MAX_REQUEST_FRAME_BYTES}`);
  const r = new ByteReader(bytes);
  const type = r.u8('frame type');
  if (r.failed) return r.error!;
  if (type === FRAME.descriptorQuery) {
    const queryId = r.copy(REPLY_ID_BYTES, 'query id');
    if (r.failed) return r.error!;
    for (let i = r.offset; i < bytes.length; i++) {
      if (bytes[i] !== 0) return fail('trailing-bytes', i, 'descriptor query: non-zero padding');
    }
    return ok({ type: 'descriptor-query', queryId });
  }
  if (type !== FRAME.sealedRequest) return fail('bad-kind', 0, `unknown request frame type ${type}`);
  const serverId = r.copy(SERVER_ID_BYTES, 'server id');
  const ephemeralPublic = r.copy(KEY_BYTES, 'ephemeral key');
  if (r.failed) return r.error!;
  if (r.remaining < AEAD_TAG_BYTES) return fail('truncated', r.offset, 'sealed request shorter than its tag');
  const ciphertext = r.rest();
  return ok({ type: 'sealed', serverId, ephemeralPublic, header: bytes.slice(0, SEALED_REQUEST_HEADER_BYTES), ciphertext });
}

export function encodeSealedRequestFrame(serverId: Uint8Array, ephemeralPublic: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return new ByteWriter(SEALED_REQUEST_HEADER_BYTES + ciphertext.length)
    .u8(FRAME.sealedRequest).fixed(serverId, SERVER_ID_BYTES).fixed(ephemeralPublic, KEY_BYTES).bytes(ciphertext).finish();
}

export function sealedRequestHeader(serverId: Uint8Array, ephemeralPublic: Uint8Array): Uint8Array {
  return new ByteWriter(SEALED_REQUEST_HEADER_BYTES)
    .u8(FRAME.sealedRequest).fixed(serverId, SERVER_ID_BYTES).fixed(ephemeralPublic, KEY_BYTES).finish();
}

export function encodeDescriptorQuery(queryId: Uint8Array, padToBytes = 0): Uint8Array {
  const frame = new ByteWriter(1 + REPLY_ID_BYTES).u8(FRAME.descriptorQuery).fixed(queryId, REPLY_ID_BYTES).finish();
  return padBytes(frame, padToBytes);
}

/** Appends zero bytes up to `length` (no-op when already as long). */
export function padBytes(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length >= length) return bytes;
  const out = new Uint8Array(length);
  out.set(bytes);
  return out;
}

export function sealedResponseHeader(replyId: Uint8Array, nonce: Uint8Array): Uint8Array {
  return new ByteWriter(SEALED_RESPONSE_HEADER_BYTES)
    .u8(FRAME.sealedResponse).fixed(replyId, REPLY_ID_BYTES).fixed(nonce, XAEAD_NONCE_BYTES).finish();
}

export function encodeDescriptorFrame(replyId: Uint8Array, descriptor: Uint8Array): Uint8Array {
  return new ByteWriter(1 + REPLY_ID_BYTES + descriptor.length)
    .u8(FRAME.descriptor).fixed(replyId, REPLY_ID_BYTES).bytes(descriptor).finish();
}

export function encodeRefusalFrame(replyId: Uint8Array, code: RelayErrorCode, message: string): Uint8Array {
  let text = utf8(message);
  if (text.length > MAX_ERROR_MESSAGE_BYTES) text = utf8(message.slice(0, MAX_ERROR_MESSAGE_BYTES / 4));
  return new ByteWriter(12 + text.length)
    .u8(FRAME.refusal).fixed(replyId, REPLY_ID_BYTES).u8(RELAY_STATUS[code]).lengthPrefixed(text, MAX_ERROR_MESSAGE_BYTES).finish();
}

export function decodeResponseFrame(bytes: Uint8Array): DecodeResult<ResponseFrame> {
  if (bytes.length > MAX_RESPONSE_FRAME_BYTES) return fail('too-long', 0, `frame of ${bytes.length} bytes exceeds ${MAX_RESPONSE_FRAME_BYTES}`);
  const r = new ByteReader(bytes);
  const type = r.u8('frame type');
  const replyId = r.copy(REPLY_ID_BYTES, 'reply id');
  if (r.failed) return r.error!;
  switch (type) {
    case FRAME.sealedResponse: {
      const nonce = r.copy(XAEAD_NONCE_BYTES, 'nonce');
      if (r.failed) return r.error!;
      if (r.remaining < AEAD_TAG_BYTES) return fail('truncated', r.offset, 'sealed response shorter than its tag');
      return ok({ type: 'sealed', replyId, nonce, header: bytes.slice(0, SEALED_RESPONSE_HEADER_BYTES), ciphertext: r.rest() });
    }
    case FRAME.descriptor: {
      if (r.remaining > MAX_DESCRIPTOR_BYTES) return fail('too-long', r.offset, 'descriptor exceeds its cap');
      return ok({ type: 'descriptor', replyId, descriptor: r.rest() });
    }
    case FRAME.refusal: {
      const statusAt = r.offset;
      const status = r.u8('status');
      const text = r.lengthPrefixed(MAX_ERROR_MESSAGE_BYTES, 'message');
      r.end('refusal');
      if (r.failed) return r.error!;
      const name = statusName(status);
      if (name === undefined || name === 'ok') return fail('bad-value', statusAt, `unknown refusal status ${status}`);
      const message = fromUtf8(text);
      if (message === undefined) return fail('bad-encoding', statusAt + 1, 'refusal message is not UTF-8');
      return ok({ type: 'refusal', replyId, code: name, message });
    }
    default:
      return fail('bad-kind', 0, `unknown response frame type ${type}`);
  }
}
