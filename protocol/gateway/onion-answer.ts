/**
 * What a gateway node answers, over the mesh, to a mesh user's onion
 * requests (request.ts 0xF3, 0xF4; docs/PROTOCOL.md "Matriochka over the
 * mesh"), as the payload of a direct mesh message to the sender's node.
 * The high nibble 0xF marks them as gateway traffic, not envelopes, as for
 * requests; `ticket` is the one the request carried.
 *
 * Onion status (0xF5): what became of an onion packet.
 *   +------+-----------+------+------------------------------+
 *   | 0xF5 | ticket    | code | reason UTF-8 (rest)          |
 *   | 1    | 8         | 1    | 0..200                       |
 *   +------+-----------+------+------------------------------+
 *
 * Onion catalog (0xF6): the first relay's signed descriptor, then its
 * catalog's, each verified by the sender (the gateway signs nothing). With
 * a code other than 'ok' the rest is a reason, as in 0xF5.
 *   +------+-----------+------+-------+------------------------------+
 *   | 0xF6 | ticket    | code | count | (len u16, descriptor) x count |
 *   | 1    | 8         | 1    | 1     | each 1..MAX_DESCRIPTOR_BYTES |
 *   +------+-----------+------+-------+------------------------------+
 *
 * Codes: 0 ok (the first relay took the packet / the catalog follows),
 * 1 relay-refused (the relay refused it: final), 2 relay-unreachable
 * (retry later), 3 not-served (this gateway does not serve that relay:
 * final), 4 over-allowance (this sender's allowance is spent: retry later).
 */
import { fromUtf8, utf8 } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { ByteWriter } from '../codec/writer.ts';
import { MAX_DESCRIPTOR_BYTES } from '../server/constants.ts';
import { GATEWAY_TICKET_BYTES } from './request.ts';

export const GatewayAnswerByte = { onionStatus: 0xf5, onionCatalog: 0xf6 } as const;

export const ONION_ANSWER_CODES = ['ok', 'relay-refused', 'relay-unreachable', 'not-served', 'over-allowance'] as const;
export type OnionAnswerCode = (typeof ONION_ANSWER_CODES)[number];

/** Longest reason carried: the mesh is narrow, and a reason is for a person to read. */
export const ANSWER_REASON_MAX_BYTES = 200;
/** Most descriptors in one catalog answer. */
export const ANSWER_MAX_DESCRIPTORS = 16;

export type GatewayAnswer =
  | { readonly kind: 'onion-status'; readonly ticket: Uint8Array; readonly code: OnionAnswerCode; readonly reason: string }
  | { readonly kind: 'onion-catalog'; readonly ticket: Uint8Array; readonly code: 'ok'; readonly descriptors: readonly Uint8Array[] }
  | { readonly kind: 'onion-catalog'; readonly ticket: Uint8Array; readonly code: Exclude<OnionAnswerCode, 'ok'>; readonly reason: string };

export function isGatewayAnswer(bytes: Uint8Array): boolean {
  return bytes[0] === GatewayAnswerByte.onionStatus || bytes[0] === GatewayAnswerByte.onionCatalog;
}

/** A reason cut to ANSWER_REASON_MAX_BYTES of UTF-8 without splitting a character. */
export function clipReason(reason: string): string {
  let out = reason;
  while (utf8(out).length > ANSWER_REASON_MAX_BYTES) out = out.slice(0, -1);
  return out;
}

export function encodeGatewayAnswer(a: GatewayAnswer): Uint8Array {
  if (a.ticket.length !== GATEWAY_TICKET_BYTES) throw new RangeError(`ticket must be ${GATEWAY_TICKET_BYTES} bytes`);
  const kind = a.kind === 'onion-status' ? GatewayAnswerByte.onionStatus : GatewayAnswerByte.onionCatalog;
  const w = new ByteWriter(64).u8(kind).bytes(a.ticket).u8(ONION_ANSWER_CODES.indexOf(a.code));
  if ('descriptors' in a) {
    if (a.descriptors.length < 1 || a.descriptors.length > ANSWER_MAX_DESCRIPTORS) throw new RangeError(`a catalog answer holds 1..${ANSWER_MAX_DESCRIPTORS} descriptors`);
    w.u8(a.descriptors.length);
    for (const d of a.descriptors) {
      if (d.length < 1 || d.length > MAX_DESCRIPTOR_BYTES) throw new RangeError(`a descriptor is 1..${MAX_DESCRIPTOR_BYTES} bytes`);
      w.u16(d.length).bytes(d);
    }
    return w.finish();
  }
  const reason = utf8(a.reason);
  if (reason.length > ANSWER_REASON_MAX_BYTES) throw new RangeError(`a reason is at most ${ANSWER_REASON_MAX_BYTES} bytes (clipReason)`);
  return w.bytes(reason).finish();
}

export function decodeGatewayAnswer(bytes: Uint8Array): DecodeResult<GatewayAnswer> {
  const r = new ByteReader(bytes);
  const kind = r.u8('kind');
  if (kind !== GatewayAnswerByte.onionStatus && kind !== GatewayAnswerByte.onionCatalog) {
    return r.error ?? fail('bad-kind', 0, `not a gateway answer: 0x${kind.toString(16)}`);
  }
  const ticket = r.copy(GATEWAY_TICKET_BYTES, 'ticket');
  const codeByte = r.u8('code');
  if (r.error) return r.error;
  const code = ONION_ANSWER_CODES[codeByte];
  if (code === undefined) return fail('bad-value', 1 + GATEWAY_TICKET_BYTES, `unknown answer code ${codeByte}`);
  if (kind === GatewayAnswerByte.onionCatalog && code === 'ok') {
    const count = r.u8('count');
    if (!r.failed && (count < 1 || count > ANSWER_MAX_DESCRIPTORS)) return r.reject('bad-value', `descriptor count ${count}`);
    const descriptors: Uint8Array[] = [];
    for (let i = 0; i < count && !r.failed; i++) {
      const length = r.u16('descriptor length');
      if (!r.failed && (length < 1 || length > MAX_DESCRIPTOR_BYTES)) return r.reject('bad-value', `descriptor length ${length}`);
      descriptors.push(r.copy(length, 'descriptor'));
    }
    r.end('catalog answer');
    if (r.error) return r.error;
    return ok({ kind: 'onion-catalog', ticket, code, descriptors });
  }
  const at = r.offset;
  const raw = r.rest();
  if (raw.length > ANSWER_REASON_MAX_BYTES) return fail('too-long', at, `reason over ${ANSWER_REASON_MAX_BYTES} bytes`);
  const reason = fromUtf8(raw);
  if (reason === undefined) return fail('bad-encoding', at, 'reason is not UTF-8');
  if (kind === GatewayAnswerByte.onionStatus) return ok({ kind: 'onion-status', ticket, code, reason });
  return ok({ kind: 'onion-catalog', ticket, code: code as Exclude<OnionAnswerCode, 'ok'>, reason });
}
