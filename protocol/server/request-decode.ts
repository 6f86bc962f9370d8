/**
 * Request decoder (layouts in request-encode.ts). Structural only: it never
 * throws, caps every length and refuses unknown kinds and flags; signatures,
 * stamps and passes are checked by the relay core, which receives the
 * exact signed bytes in `signedMessage`.
 */
import { concatBytes, fromUtf8 } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import {
  LABEL, MAILBOX_TAG_BYTES, MAX_ACKS_PER_FETCH, MAX_DESCRIPTOR_BYTES, MAX_DIRECTORY_QUERY_BYTES, MAX_ENVELOPE_BYTES,
  MAX_LIST_ITEMS, MAX_PRESENCE_BYTES, MAX_PRESENCE_TTL_SECONDS, MAX_REQUEST_PLAINTEXT_BYTES, MESSAGE_ID_BYTES, PASS_BYTES,
  PASS_KEY_BYTES, SIGNATURE_BYTES, STAMP_NONCE_BYTES,
} from './constants.ts';
import { MAX_BROADCAST_RECORD_BYTES, MAX_DIRECTORY_RECORD_BYTES } from './records.ts';
import { FLAG_PASS, FLAG_PASS_KEY, FLAG_STAMP } from './request-encode.ts';
import { REQUEST_KIND, type RelayRequest, type RequestKind } from './request-types.ts';
import type { Stamp } from './stamp.ts';

const KIND_BY_BYTE = new Map<number, RequestKind>(
  (Object.entries(REQUEST_KIND) as [RequestKind, number][]).map(([k, v]) => [v, k]),
);

function readFlags(r: ByteReader, allowed: number): number {
  const at = r.offset;
  const flags = r.u8('flags');
  if (!r.failed && (flags & ~allowed) !== 0) r.reject('bad-value', `unknown flags 0x${flags.toString(16)} at ${at}`);
  return flags;
}

function readStamp(r: ByteReader, flags: number): Stamp | undefined {
  if ((flags & FLAG_STAMP) === 0) return undefined;
  const minute = r.u32('stamp minute');
  const nonce = r.copy(STAMP_NONCE_BYTES, 'stamp nonce');
  return { minute, nonce };
}

function readCount(r: ByteReader, what: string, min: number): number {
  const n = r.u8(what);
  if (!r.failed && (n < min || n > MAX_LIST_ITEMS)) r.reject('bad-value', `${what} ${n} outside ${min}..${MAX_LIST_ITEMS}`);
  return n;
}

/**
 * Decodes a request. `relaySigning` is this relay's Ed25519 public key: it
 * is part of what signed requests sign, so a request signed for another
 * relay fails verification here.
 */
export function decodeRequest(bytes: Uint8Array, relaySigning: Uint8Array): DecodeResult<RelayRequest> {
  if (bytes.length > MAX_REQUEST_PLAINTEXT_BYTES) return fail('too-long', 0, `request of ${bytes.length} bytes exceeds ${MAX_REQUEST_PLAINTEXT_BYTES}`);
  const r = new ByteReader(bytes);
  const kindByte = r.u8('kind');
  if (r.failed) return r.error!;
  const kind = KIND_BY_BYTE.get(kindByte);
  if (kind === undefined) return fail('bad-kind', 0, `unknown request kind ${kindByte}`);

  const done = (value: RelayRequest): DecodeResult<RelayRequest> => {
    endPadding(r, bytes, kind);
    return r.error ?? ok(value);
  };

  switch (kind) {
    case 'deposit': {
      const tag = r.copy(MAILBOX_TAG_BYTES, 'tag');
      const flags = readFlags(r, FLAG_PASS | FLAG_STAMP);
      const pass = (flags & FLAG_PASS) !== 0 ? r.copy(PASS_BYTES, 'pass') : undefined;
      const stamp = readStamp(r, flags);
      const envelope = r.lengthPrefixed(MAX_ENVELOPE_BYTES, 'envelope');
      if (!r.failed && envelope.length === 0) r.reject('bad-value', 'empty envelope');
      return done({ kind, tag, envelope, ...(pass ? { pass } : {}), ...(stamp ? { stamp } : {}) });
    }
    case 'presence-lookup':
      return done({ kind, tag: r.copy(MAILBOX_TAG_BYTES, 'tag') });
    case 'broadcast-post':
    case 'directory-publish': {
      const flags = readFlags(r, FLAG_STAMP);
      const stamp = readStamp(r, flags);
      const record = r.lengthPrefixed(kind === 'broadcast-post' ? MAX_BROADCAST_RECORD_BYTES : MAX_DIRECTORY_RECORD_BYTES, 'record');
      return done({ kind, record, ...(stamp ? { stamp } : {}) });
    }
    case 'broadcast-list': {
      const sinceSeq = r.varint('since');
      return done({ kind, sinceSeq, limit: readCount(r, 'limit', 1) });
    }
    case 'directory-search': {
      const at = r.offset;
      const raw = r.lengthPrefixed(MAX_DIRECTORY_QUERY_BYTES, 'query');
      const limit = readCount(r, 'limit', 1);
      if (r.failed) return r.error!;
      const query = fromUtf8(raw);
      if (query === undefined) return fail('bad-encoding', at, 'query is not UTF-8');
      return done({ kind, query, limit });
    }
    case 'directory-random':
      return done({ kind, count: readCount(r, 'count', 1) });
    case 'catalog-list':
      return done({ kind });
    case 'catalog-announce': {
      const count = readCount(r, 'count', 0);
      const descriptors: Uint8Array[] = [];
      for (let i = 0; i < count && !r.failed; i++) descriptors.push(r.lengthPrefixed(MAX_DESCRIPTOR_BYTES, 'descriptor'));
      return done({ kind, descriptors });
    }
    case 'register':
    case 'fetch':
    case 'presence-publish':
    case 'directory-withdraw':
      return decodeSigned(r, bytes, kind, relaySigning);
  }
}

/**
 * After a complete request only zero bytes may follow: padding, which a
 * client adds so that a datagram door may answer it in full (the UDP door
 * never answers with more than 3 times the bytes it received). Padding is
 * inside the seal, so nobody on the path can add or strip it.
 */
function endPadding(r: ByteReader, bytes: Uint8Array, kind: string): void {
  if (r.failed) return;
  for (let i = r.offset; i < bytes.length; i++) {
    if (bytes[i] !== 0) {
      r.reject('trailing-bytes', `${kind}: unexpected non-zero byte after the request`);
      return;
    }
  }
}

function decodeSigned(
  r: ByteReader, bytes: Uint8Array, kind: 'register' | 'fetch' | 'presence-publish' | 'directory-withdraw', relaySigning: Uint8Array,
): DecodeResult<RelayRequest> {
  const signer = r.copy(32, 'signer');
  const counter = r.varint('counter');
  let value: RelayRequest | undefined;
  switch (kind) {
    case 'register': {
      const flags = readFlags(r, FLAG_PASS_KEY);
      const passKey = (flags & FLAG_PASS_KEY) !== 0 ? r.copy(PASS_KEY_BYTES, 'pass key') : undefined;
      value = { kind, signer, counter, signature: new Uint8Array(0), ...(passKey ? { passKey } : {}) };
      break;
    }
    case 'fetch': {
      const limit = readCount(r, 'limit', 1);
      const n = r.varint('ack count', MAX_ACKS_PER_FETCH);
      const acks: Uint8Array[] = [];
      for (let i = 0; i < n && !r.failed; i++) acks.push(r.copy(MESSAGE_ID_BYTES, 'ack'));
      value = { kind, signer, counter, signature: new Uint8Array(0), limit, acks };
      break;
    }
    case 'presence-publish': {
      const ttlSec = r.varint('ttl', MAX_PRESENCE_TTL_SECONDS);
      const blob = r.lengthPrefixed(MAX_PRESENCE_BYTES, 'presence');
      value = { kind, signer, counter, signature: new Uint8Array(0), ttlSec, blob };
      break;
    }
    case 'directory-withdraw':
      value = { kind, signer, counter, signature: new Uint8Array(0) };
      break;
  }
  if (r.failed) return r.error!;
  const bodyEnd = r.offset;
  const signature = r.copy(SIGNATURE_BYTES, 'signature');
  endPadding(r, bytes, kind);
  if (r.failed) return r.error!;
  const signedMessage = concatBytes(LABEL.signedRequest, relaySigning, bytes.subarray(0, bodyEnd));
  return ok({ ...value, signature, signedMessage });
}
