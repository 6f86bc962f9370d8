/**
 * Sealing requests to the server key Skp, and the answer back to the
 * requester only (docs/PROTOCOL.md section "server", "Sealing").
 *
 *   shared   = X25519(ephemeral secret, Skp.agreement)          RFC 7748
 *   okm      = HKDF-SHA-256(ikm = shared, salt = ephPub || SkpAgreementPub,
 *                           info = "meow/relay/v1/seal-keys", 64)  RFC 5869
 *   reqKey   = okm[0..32]   ChaCha20-Poly1305, nonce 0, aad = frame header (type, serverId, ephPub)
 *   respKey  = okm[32..64]  XChaCha20-Poly1305, random 24-byte nonce, aad = response header
 *
 * The request key is used once (the ephemeral key is fresh), so a zero
 * nonce is safe. The response key is NOT: a replayed request frame makes the
 * relay answer again under the same respKey, so every response draws a
 * random 24-byte nonce (XChaCha), and replays never reuse a nonce.
 */
import { concatBytes } from '../codec/bytes.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { AEAD_NONCE_BYTES, KEY_BYTES, XAEAD_NONCE_BYTES } from '../crypto/suite.ts';
import type { ServerKeyPair, ServerPublicKey } from '../keys/keys.ts';
import type { RandomSource } from '../random.ts';
import { LABEL, REPLY_ID_BYTES, SERVER_ID_BYTES } from './constants.ts';
import {
  decodeResponseFrame, encodeSealedRequestFrame, type RequestFrame, sealedRequestHeader, sealedResponseHeader,
} from './frame.ts';
import { RelayError } from './errors.ts';

const ZERO_NONCE = new Uint8Array(AEAD_NONCE_BYTES);

/** Short routing id of a server: SHA-256(label || Ed25519 pub || X25519 pub), first 8 bytes. */
export function serverIdOf(suite: CryptoSuite, server: ServerPublicKey): Uint8Array {
  return suite.sha256(concatBytes(LABEL.serverId, server.signing, server.agreement)).slice(0, SERVER_ID_BYTES);
}

function deriveKeys(suite: CryptoSuite, shared: Uint8Array, ephemeralPublic: Uint8Array, serverAgreement: Uint8Array) {
  const okm = suite.hkdf(shared, concatBytes(ephemeralPublic, serverAgreement), LABEL.sealKeys, 2 * KEY_BYTES);
  return { requestKey: okm.slice(0, KEY_BYTES), responseKey: okm.slice(KEY_BYTES) };
}

/** What a client keeps to read the answer: only it can, as only it knows the ephemeral secret. */
export interface PendingReply {
  readonly replyId: Uint8Array;
  readonly responseKey: Uint8Array;
}

export interface SealedRequest extends PendingReply {
  readonly frame: Uint8Array;
}

export function sealRequest(suite: CryptoSuite, random: RandomSource, server: ServerPublicKey, plaintext: Uint8Array): SealedRequest {
  const ephemeralSecret = random.bytes(KEY_BYTES);
  const ephemeralPublic = suite.x25519PublicKey(ephemeralSecret);
  const shared = suite.x25519(ephemeralSecret, server.agreement);
  ephemeralSecret.fill(0);
  if (!shared) throw new RelayError('wrong-server', 'server agreement key is a low-order point');
  const serverId = serverIdOf(suite, server);
  const { requestKey, responseKey } = deriveKeys(suite, shared, ephemeralPublic, server.agreement);
  shared.fill(0);
  const header = sealedRequestHeader(serverId, ephemeralPublic);
  const ciphertext = suite.aeadSeal(requestKey, ZERO_NONCE, plaintext, header);
  requestKey.fill(0);
  return { frame: encodeSealedRequestFrame(serverId, ephemeralPublic, ciphertext), replyId: ephemeralPublic.slice(0, REPLY_ID_BYTES), responseKey };
}

export type OpenRequestError = 'wrong-server' | 'bad-seal';

export interface OpenedRequest extends PendingReply {
  readonly plaintext: Uint8Array;
}

/** Server side: opens a sealed request frame addressed to `server` (with its precomputed id). */
export function openRequest(
  suite: CryptoSuite, server: ServerKeyPair, serverId: Uint8Array, frame: Extract<RequestFrame, { type: 'sealed' }>,
): { ok: true; value: OpenedRequest } | { ok: false; code: OpenRequestError; replyId: Uint8Array } {
  const replyId = frame.ephemeralPublic.slice(0, REPLY_ID_BYTES);
  // Server ids are public: an ordinary comparison leaks nothing secret.
  for (let i = 0; i < SERVER_ID_BYTES; i++) {
    if (frame.serverId[i] !== serverId[i]) return { ok: false, code: 'wrong-server', replyId };
  }
  const shared = suite.x25519(server.agreementSecret, frame.ephemeralPublic);
  if (!shared) return { ok: false, code: 'bad-seal', replyId };
  const { requestKey, responseKey } = deriveKeys(suite, shared, frame.ephemeralPublic, server.publicKey.agreement);
  shared.fill(0);
  const plaintext = suite.aeadOpen(requestKey, ZERO_NONCE, frame.ciphertext, frame.header);
  requestKey.fill(0);
  if (!plaintext) return { ok: false, code: 'bad-seal', replyId };
  return { ok: true, value: { plaintext, replyId, responseKey } };
}

export function sealResponse(suite: CryptoSuite, random: RandomSource, reply: PendingReply, plaintext: Uint8Array): Uint8Array {
  const nonce = random.bytes(XAEAD_NONCE_BYTES);
  const header = sealedResponseHeader(reply.replyId, nonce);
  return concatBytes(header, suite.xaeadSeal(reply.responseKey, nonce, plaintext, header));
}

export type OpenedResponse =
  | { readonly type: 'sealed'; readonly plaintext: Uint8Array }
  | { readonly type: 'refusal'; readonly code: RelayError['code']; readonly message: string };

/** Client side: reads the answer to a request. A frame for another reply id or with a bad tag is an error. */
export function openResponse(suite: CryptoSuite, reply: PendingReply, frameBytes: Uint8Array): DecodeResult<OpenedResponse> {
  const frame = decodeResponseFrame(frameBytes);
  if (!frame.ok) return frame;
  const f = frame.value;
  for (let i = 0; i < REPLY_ID_BYTES; i++) {
    if (f.replyId[i] !== reply.replyId[i]) return fail('bad-value', 1, 'response answers another request');
  }
  if (f.type === 'refusal') return ok({ type: 'refusal', code: f.code, message: f.message });
  if (f.type !== 'sealed') return fail('bad-kind', 0, 'expected a sealed response');
  const plaintext = suite.xaeadOpen(reply.responseKey, f.nonce, f.ciphertext, f.header);
  if (!plaintext) return fail('bad-mac', f.header.length, 'response tag does not verify');
  return ok({ type: 'sealed', plaintext });
}
