/**
 * Request encoders (docs/PROTOCOL.md section "server", "Requests").
 *
 * Anonymous requests:
 *   deposit            0x01 | tag 16 | flags u8 (1 pass, 2 stamp) | [pass 16] | [stamp 12] | envelope (varint len <= 8192)
 *   presence-lookup    0x05 | tag 16
 *   broadcast-post     0x06 | flags u8 (2 stamp) | [stamp 12] | broadcast record (varint len)
 *   broadcast-list     0x07 | since seq varint | limit u8 (1..64)
 *   directory-publish  0x08 | flags u8 (2 stamp) | [stamp 12] | directory entry (varint len)
 *   directory-search   0x0a | query (varint len, UTF-8 <= 64) | limit u8 (1..64)
 *   directory-random   0x0b | count u8 (1..64)
 *   catalog-list       0x0c
 *   catalog-announce   0x0d | count u8 (<= 64) | count x descriptor (varint len)
 * Signed requests (signer = Lkp for mailbox requests, entry key for withdraw):
 *   kind | signer 32 | counter varint | body | signature 64
 *   register           body = flags u8 (1 pass key) | [pass key 32]
 *   fetch              body = limit u8 (1..64) | acks count varint (<= 64) | acks x message id 16
 *   presence-publish   body = ttl varint sec (0 = withdraw, <= 86400) | blob (varint len <= 256)
 *   directory-withdraw body = (empty)
 *   signature = Ed25519(signer, "meow/relay/v1/signed-request" || relay Ed25519 pub || every byte before it)
 */
import { concatBytes } from '../codec/bytes.ts';
import { ByteWriter } from '../codec/writer.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import {
  LABEL, MAILBOX_TAG_BYTES, MAX_ACKS_PER_FETCH, MAX_DESCRIPTOR_BYTES, MAX_DIRECTORY_QUERY_BYTES, MAX_ENVELOPE_BYTES,
  MAX_LIST_ITEMS, MAX_PRESENCE_BYTES, MESSAGE_ID_BYTES, PASS_BYTES, PASS_KEY_BYTES, STAMP_NONCE_BYTES,
} from './constants.ts';
import { MAX_BROADCAST_RECORD_BYTES, MAX_DIRECTORY_RECORD_BYTES } from './records.ts';
import { REQUEST_KIND, type RelayRequest, type SignedRequest, type UnsignedRequest } from './request-types.ts';
import type { Stamp } from './stamp.ts';
import { utf8 } from '../codec/bytes.ts';

export const FLAG_PASS = 0x01;
export const FLAG_STAMP = 0x02;
export const FLAG_PASS_KEY = 0x01;

function writeStamp(w: ByteWriter, stamp: Stamp | undefined): void {
  if (stamp) w.u32(stamp.minute).fixed(stamp.nonce, STAMP_NONCE_BYTES);
}

function writeSignedBody(w: ByteWriter, r: UnsignedRequest): void {
  switch (r.kind) {
    case 'register':
      w.u8(r.passKey ? FLAG_PASS_KEY : 0);
      if (r.passKey) w.fixed(r.passKey, PASS_KEY_BYTES);
      return;
    case 'fetch':
      w.u8(r.limit).varint(r.acks.length);
      if (r.acks.length > MAX_ACKS_PER_FETCH) throw new RangeError(`at most ${MAX_ACKS_PER_FETCH} acks`);
      for (const id of r.acks) w.fixed(id, MESSAGE_ID_BYTES);
      return;
    case 'presence-publish':
      w.varint(r.ttlSec).lengthPrefixed(r.blob, MAX_PRESENCE_BYTES);
      return;
    case 'directory-withdraw':
      return;
  }
}

/** Signs and encodes a signed request for the relay whose Ed25519 key is `relaySigning`. */
export function encodeSignedRequest<T extends SignedRequest>(
  suite: CryptoSuite, relaySigning: Uint8Array, signerSeed: Uint8Array, request: UnsignedRequest<T>,
): Uint8Array {
  const signer = suite.ed25519PublicKey(signerSeed);
  const w = new ByteWriter(128).u8(REQUEST_KIND[request.kind]).fixed(signer, 32).varint(request.counter);
  writeSignedBody(w, request);
  const body = w.finish();
  return concatBytes(body, suite.ed25519Sign(signerSeed, concatBytes(LABEL.signedRequest, relaySigning, body)));
}

/** Encodes an anonymous request (signed kinds go through encodeSignedRequest). */
export function encodeRequest(request: Exclude<RelayRequest, SignedRequest>): Uint8Array {
  const w = new ByteWriter(64).u8(REQUEST_KIND[request.kind]);
  switch (request.kind) {
    case 'deposit':
      w.fixed(request.tag, MAILBOX_TAG_BYTES).u8((request.pass ? FLAG_PASS : 0) | (request.stamp ? FLAG_STAMP : 0));
      if (request.pass) w.fixed(request.pass, PASS_BYTES);
      writeStamp(w, request.stamp);
      w.lengthPrefixed(request.envelope, MAX_ENVELOPE_BYTES);
      break;
    case 'presence-lookup':
      w.fixed(request.tag, MAILBOX_TAG_BYTES);
      break;
    case 'broadcast-post':
    case 'directory-publish':
      w.u8(request.stamp ? FLAG_STAMP : 0);
      writeStamp(w, request.stamp);
      w.lengthPrefixed(request.record, request.kind === 'broadcast-post' ? MAX_BROADCAST_RECORD_BYTES : MAX_DIRECTORY_RECORD_BYTES);
      break;
    case 'broadcast-list':
      w.varint(request.sinceSeq).u8(request.limit);
      break;
    case 'directory-search':
      w.lengthPrefixed(utf8(request.query), MAX_DIRECTORY_QUERY_BYTES).u8(request.limit);
      break;
    case 'directory-random':
      w.u8(request.count);
      break;
    case 'catalog-list':
      break;
    case 'catalog-announce':
      if (request.descriptors.length > MAX_LIST_ITEMS) throw new RangeError(`at most ${MAX_LIST_ITEMS} descriptors`);
      w.u8(request.descriptors.length);
      for (const d of request.descriptors) w.lengthPrefixed(d, MAX_DESCRIPTOR_BYTES);
      break;
  }
  return w.finish();
}
