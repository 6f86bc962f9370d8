/**
 * Responses: the plaintext inside a sealed response frame
 * (docs/PROTOCOL.md section "server", "Responses").
 *
 *   status u8 (0 ok, else an error code of errors.ts) | body
 *   error body          message (varint len, UTF-8 <= 200)
 *   ok bodies, by the kind of the request answered:
 *     deposit           message id 16 | duplicate u8 (0/1)
 *     fetch             more u8 (0/1) | count varint <= 64 | count x (message id 16 | deposited u32 sec | envelope varint len <= 8192)
 *     presence-lookup   expires u32 sec | blob (varint len <= 256)
 *     broadcast-post    seq varint
 *     broadcast-list    count varint <= 64 | count x (seq varint | record varint len)
 *     directory-search, directory-random
 *                       count varint <= 64 | count x entry (varint len)
 *     catalog-list      count varint <= 256 | count x descriptor (varint len)
 *     catalog-announce  accepted varint
 *     register, presence-publish, directory-publish, directory-withdraw: empty
 */
import { fromUtf8, utf8 } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { ByteWriter } from '../codec/writer.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import {
  MAX_DESCRIPTOR_BYTES, MAX_ENVELOPE_BYTES, MAX_ERROR_MESSAGE_BYTES, MAX_LIST_ITEMS, MAX_PRESENCE_BYTES, MESSAGE_ID_BYTES,
} from './constants.ts';
import { type RelayErrorCode, RELAY_STATUS, statusName } from './errors.ts';
import { MAX_BROADCAST_RECORD_BYTES, MAX_DIRECTORY_RECORD_BYTES } from './records.ts';
import type { RequestKind } from './request-types.ts';

export const MAX_CATALOG_ITEMS = 256;

export interface StoredMessage {
  readonly id: Uint8Array;
  readonly depositedSec: number;
  readonly envelope: Uint8Array;
}

export interface SeqRecord {
  readonly seq: number;
  readonly record: Uint8Array;
}

export type OkBody = {
  deposit: { readonly id: Uint8Array; readonly duplicate: boolean };
  register: Record<string, never>;
  fetch: { readonly more: boolean; readonly messages: readonly StoredMessage[] };
  'presence-publish': Record<string, never>;
  'presence-lookup': { readonly expiresSec: number; readonly blob: Uint8Array };
  'broadcast-post': { readonly seq: number };
  'broadcast-list': { readonly items: readonly SeqRecord[] };
  'directory-publish': Record<string, never>;
  'directory-withdraw': Record<string, never>;
  'directory-search': { readonly entries: readonly Uint8Array[] };
  'directory-random': { readonly entries: readonly Uint8Array[] };
  'catalog-list': { readonly descriptors: readonly Uint8Array[] };
  'catalog-announce': { readonly accepted: number };
};

export type RelayResponse<K extends RequestKind = RequestKind> =
  | { readonly ok: true; readonly kind: K; readonly body: OkBody[K] }
  | { readonly ok: false; readonly code: RelayErrorCode; readonly message: string };

export function encodeErrorResponse(code: RelayErrorCode, message: string): Uint8Array {
  let text = utf8(message);
  if (text.length > MAX_ERROR_MESSAGE_BYTES) text = text.slice(0, MAX_ERROR_MESSAGE_BYTES);
  // A cut inside a multi-byte character would not decode: drop back to whole characters.
  while (fromUtf8(text) === undefined) text = text.slice(0, text.length - 1);
  return new ByteWriter(4 + text.length).u8(RELAY_STATUS[code]).lengthPrefixed(text, MAX_ERROR_MESSAGE_BYTES).finish();
}

export function encodeOkResponse<K extends RequestKind>(kind: K, body: OkBody[K]): Uint8Array {
  const w = new ByteWriter(64).u8(RELAY_STATUS.ok);
  const b = body as OkBody[RequestKind];
  switch (kind) {
    case 'deposit': {
      const d = b as OkBody['deposit'];
      w.fixed(d.id, MESSAGE_ID_BYTES).u8(d.duplicate ? 1 : 0);
      break;
    }
    case 'fetch': {
      const f = b as OkBody['fetch'];
      w.u8(f.more ? 1 : 0).varint(f.messages.length);
      for (const m of f.messages) w.fixed(m.id, MESSAGE_ID_BYTES).u32(m.depositedSec).lengthPrefixed(m.envelope, MAX_ENVELOPE_BYTES);
      break;
    }
    case 'presence-lookup': {
      const p = b as OkBody['presence-lookup'];
      w.u32(p.expiresSec).lengthPrefixed(p.blob, MAX_PRESENCE_BYTES);
      break;
    }
    case 'broadcast-post':
      w.varint((b as OkBody['broadcast-post']).seq);
      break;
    case 'broadcast-list': {
      const items = (b as OkBody['broadcast-list']).items;
      w.varint(items.length);
      for (const it of items) w.varint(it.seq).lengthPrefixed(it.record, MAX_BROADCAST_RECORD_BYTES);
      break;
    }
    case 'directory-search':
    case 'directory-random': {
      const entries = (b as OkBody['directory-search']).entries;
      w.varint(entries.length);
      for (const e of entries) w.lengthPrefixed(e, MAX_DIRECTORY_RECORD_BYTES);
      break;
    }
    case 'catalog-list': {
      const ds = (b as OkBody['catalog-list']).descriptors;
      w.varint(ds.length);
      for (const d of ds) w.lengthPrefixed(d, MAX_DESCRIPTOR_BYTES);
      break;
    }
    case 'catalog-announce':
      w.varint((b as OkBody['catalog-announce']).accepted);
      break;
    default:
      break;
  }
  return w.finish();
}

function readList(r: ByteReader, max: number, itemCap: number, what: string): Uint8Array[] {
  const n = r.varint(`${what} count`, max);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n && !r.failed; i++) out.push(r.lengthPrefixed(itemCap, what));
  return out;
}

function readBool(r: ByteReader, what: string): boolean {
  const v = r.u8(what);
  if (!r.failed && v > 1) r.reject('bad-value', `${what} must be 0 or 1`);
  return v === 1;
}

/** Decodes the answer to a request of kind `kind`. */
export function decodeResponse<K extends RequestKind>(kind: K, bytes: Uint8Array): DecodeResult<RelayResponse<K>> {
  const r = new ByteReader(bytes);
  const status = r.u8('status');
  if (r.failed) return r.error!;
  if (status !== RELAY_STATUS.ok) {
    const name = statusName(status);
    if (name === undefined) return fail('bad-value', 0, `unknown status ${status}`);
    const raw = r.lengthPrefixed(MAX_ERROR_MESSAGE_BYTES, 'message');
    r.end('error');
    if (r.failed) return r.error!;
    const message = fromUtf8(raw);
    if (message === undefined) return fail('bad-encoding', 1, 'error message is not UTF-8');
    return ok({ ok: false, code: name as RelayErrorCode, message });
  }
  let body: OkBody[RequestKind];
  switch (kind as RequestKind) {
    case 'deposit': {
      const id = r.copy(MESSAGE_ID_BYTES, 'message id');
      body = { id, duplicate: readBool(r, 'duplicate') };
      break;
    }
    case 'fetch': {
      const more = readBool(r, 'more');
      const n = r.varint('message count', MAX_LIST_ITEMS);
      const messages: StoredMessage[] = [];
      for (let i = 0; i < n && !r.failed; i++) {
        const id = r.copy(MESSAGE_ID_BYTES, 'message id');
        const depositedSec = r.u32('deposited');
        messages.push({ id, depositedSec, envelope: r.lengthPrefixed(MAX_ENVELOPE_BYTES, 'envelope') });
      }
      body = { more, messages };
      break;
    }
    case 'presence-lookup': {
      const expiresSec = r.u32('expires');
      body = { expiresSec, blob: r.lengthPrefixed(MAX_PRESENCE_BYTES, 'presence') };
      break;
    }
    case 'broadcast-post':
      body = { seq: r.varint('seq') };
      break;
    case 'broadcast-list': {
      const n = r.varint('broadcast count', MAX_LIST_ITEMS);
      const items: SeqRecord[] = [];
      for (let i = 0; i < n && !r.failed; i++) {
        const seq = r.varint('seq');
        items.push({ seq, record: r.lengthPrefixed(MAX_BROADCAST_RECORD_BYTES, 'broadcast') });
      }
      body = { items };
      break;
    }
    case 'directory-search':
    case 'directory-random':
      body = { entries: readList(r, MAX_LIST_ITEMS, MAX_DIRECTORY_RECORD_BYTES, 'entry') };
      break;
    case 'catalog-list':
      body = { descriptors: readList(r, MAX_CATALOG_ITEMS, MAX_DESCRIPTOR_BYTES, 'descriptor') };
      break;
    case 'catalog-announce':
      body = { accepted: r.varint('accepted', MAX_LIST_ITEMS) };
      break;
    default:
      body = {};
  }
  r.end(`${kind} response`);
  if (r.failed) return r.error!;
  return ok({ ok: true, kind, body: body as OkBody[K] });
}
