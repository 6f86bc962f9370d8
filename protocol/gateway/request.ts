/**
 * Requests a mesh user sends to a gateway node over the mesh (as the
 * payload of a direct mesh message to the gateway's node id). Their first
 * byte has the high nibble 0xF, a version number no Meow envelope uses
 * (envelopes start with version 1 << 4 | kind), so a node tells a gateway
 * request from a mailbox envelope by its first byte alone.
 *
 * Relay deposit (0xF1): "deposit this envelope into mailbox `tag` on relay `url`"
 *   +------+--------+-----------+--------+-----------+--------------------+
 *   | 0xF1 | urlLen | url UTF-8 | tagLen | tag       | envelope (rest)    |
 *   | 1    | 1      | 1..255    | 1      | 4..32     | 1..4096            |
 *   +------+--------+-----------+--------+-----------+--------------------+
 *
 * Registration (0xF2): a sealed GatewayRegistration (registration.ts).
 *   +------+-------------------------------------------+
 *   | 0xF2 | sealed registration                       |
 *   +------+-------------------------------------------+
 *
 * Onion (0xF3): "hand this Matriochka packet to relay `url`, its first hop"
 * (docs/PROTOCOL.md "Matriochka over the mesh"); the gateway answers 0xF5
 * under `ticket` (onion-answer.ts). The packet is of the radio or short class
 * (228 or 558 bytes); a long one (4398) is over what a gateway carries.
 *   +------+-----------+--------+-----------+---------------------------+
 *   | 0xF3 | ticket    | urlLen | url UTF-8 | onion packet (rest)       |
 *   | 1    | 8         | 1      | 1..255    | 228 or 558                |
 *   +------+-----------+--------+-----------+---------------------------+
 *
 * Onion catalog (0xF4): "give me relay `url`'s descriptor and catalog", to
 * build a chain starting there; answered 0xF6 under `ticket`.
 *   +------+-----------+--------+-----------+
 *   | 0xF4 | ticket    | urlLen | url UTF-8 |
 *   | 1    | 8         | 1      | 1..255    |
 *   +------+-----------+--------+-----------+
 */
import { fromUtf8, utf8 } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { ByteWriter } from '../codec/writer.ts';
import { ONION_CLASSES, onionPacketBytes } from '../onion/constants.ts';

export const GatewayRequestByte = { relayDeposit: 0xf1, registration: 0xf2, onion: 0xf3, onionCatalog: 0xf4 } as const;
/** A random id the sender picks per request; the gateway's answer carries it back (onion-answer.ts). */
export const GATEWAY_TICKET_BYTES = 8;
/** Onion packet sizes a gateway carries from the mesh: the radio and short classes (the long class is over the mesh's 4 KiB). */
export const MESH_ONION_PACKET_BYTES: readonly number[] = [onionPacketBytes(ONION_CLASSES.radio), onionPacketBytes(ONION_CLASSES.short)];
const URL_MAX_BYTES = 255;
const TAG_MIN_BYTES = 4;
const TAG_MAX_BYTES = 32;
export const GATEWAY_ENVELOPE_MAX_BYTES = 4096;

export type GatewayRequest =
  | { readonly kind: 'relay-deposit'; readonly relayUrl: string; readonly tag: Uint8Array; readonly envelope: Uint8Array }
  | { readonly kind: 'registration'; readonly sealed: Uint8Array }
  | { readonly kind: 'onion'; readonly ticket: Uint8Array; readonly relayUrl: string; readonly packet: Uint8Array }
  | { readonly kind: 'onion-catalog'; readonly ticket: Uint8Array; readonly relayUrl: string };

/** True when the first byte marks a gateway request rather than a Meow envelope. */
export function isGatewayRequest(bytes: Uint8Array): boolean {
  return bytes.length > 0 && ((bytes[0] as number) >> 4) === 0xf;
}

export function encodeGatewayRequest(request: GatewayRequest): Uint8Array {
  switch (request.kind) {
    case 'relay-deposit': {
      const url = utf8(request.relayUrl);
      if (url.length < 1 || url.length > URL_MAX_BYTES) throw new RangeError('relay URL must be 1..255 bytes');
      if (request.tag.length < TAG_MIN_BYTES || request.tag.length > TAG_MAX_BYTES) throw new RangeError('tag must be 4..32 bytes');
      if (request.envelope.length < 1 || request.envelope.length > GATEWAY_ENVELOPE_MAX_BYTES) throw new RangeError('envelope must be 1..4096 bytes');
      return new ByteWriter(8 + url.length + request.tag.length + request.envelope.length)
        .u8(GatewayRequestByte.relayDeposit).u8(url.length).bytes(url).u8(request.tag.length).bytes(request.tag).bytes(request.envelope).finish();
    }
    case 'registration':
      return new ByteWriter(request.sealed.length + 1).u8(GatewayRequestByte.registration).bytes(request.sealed).finish();
    case 'onion': {
      if (!MESH_ONION_PACKET_BYTES.includes(request.packet.length)) throw new RangeError(`an onion over the mesh is ${MESH_ONION_PACKET_BYTES.join(' or ')} bytes`);
      return ticketAndUrl(GatewayRequestByte.onion, request.ticket, request.relayUrl, request.packet.length).bytes(request.packet).finish();
    }
    case 'onion-catalog':
      return ticketAndUrl(GatewayRequestByte.onionCatalog, request.ticket, request.relayUrl, 0).finish();
  }
}

function ticketAndUrl(kind: number, ticket: Uint8Array, relayUrl: string, extra: number): ByteWriter {
  const url = utf8(relayUrl);
  if (ticket.length !== GATEWAY_TICKET_BYTES) throw new RangeError(`ticket must be ${GATEWAY_TICKET_BYTES} bytes`);
  if (url.length < 1 || url.length > URL_MAX_BYTES) throw new RangeError('relay URL must be 1..255 bytes');
  return new ByteWriter(2 + GATEWAY_TICKET_BYTES + url.length + extra).u8(kind).bytes(ticket).u8(url.length).bytes(url);
}

/** The ticket and relay URL of an onion request (the reader just past the kind byte). */
function readTicketAndUrl(r: ByteReader): DecodeResult<{ ticket: Uint8Array; relayUrl: string }> {
  const ticket = r.copy(GATEWAY_TICKET_BYTES, 'ticket');
  const urlLength = r.u8('url length');
  if (!r.failed && urlLength < 1) return r.reject('bad-value', 'empty relay URL');
  const urlBytes = r.bytes(urlLength, 'relay URL');
  if (r.error) return r.error;
  const relayUrl = fromUtf8(urlBytes);
  const at = 2 + GATEWAY_TICKET_BYTES;
  if (relayUrl === undefined) return fail('bad-encoding', at, 'relay URL is not UTF-8');
  if (!URL.canParse(relayUrl)) return fail('bad-value', at, 'relay URL does not parse');
  return ok({ ticket, relayUrl });
}

export function decodeGatewayRequest(bytes: Uint8Array): DecodeResult<GatewayRequest> {
  const r = new ByteReader(bytes);
  const kind = r.u8('kind');
  if (r.error) return r.error;
  switch (kind) {
    case GatewayRequestByte.relayDeposit: {
      const urlLength = r.u8('url length');
      if (!r.failed && urlLength < 1) return r.reject('bad-value', 'empty relay URL');
      const urlBytes = r.bytes(urlLength, 'relay URL');
      const tagLength = r.u8('tag length');
      if (!r.failed && (tagLength < TAG_MIN_BYTES || tagLength > TAG_MAX_BYTES)) return r.reject('bad-value', `tag length ${tagLength}`);
      const tag = r.copy(tagLength, 'tag');
      const envelope = r.rest();
      if (r.error) return r.error;
      if (envelope.length < 1) return fail('truncated', bytes.length, 'empty envelope');
      if (envelope.length > GATEWAY_ENVELOPE_MAX_BYTES) return fail('too-long', bytes.length, `envelope exceeds ${GATEWAY_ENVELOPE_MAX_BYTES} bytes`);
      const relayUrl = fromUtf8(urlBytes);
      if (relayUrl === undefined) return fail('bad-encoding', 2, 'relay URL is not UTF-8');
      if (!URL.canParse(relayUrl)) return fail('bad-value', 2, 'relay URL does not parse');
      return ok({ kind: 'relay-deposit', relayUrl, tag, envelope });
    }
    case GatewayRequestByte.registration: {
      const sealed = r.rest();
      if (sealed.length === 0) return fail('truncated', 1, 'empty registration');
      return ok({ kind: 'registration', sealed });
    }
    case GatewayRequestByte.onion: {
      const head = readTicketAndUrl(r);
      if (!head.ok) return head;
      const packet = r.rest();
      // The class is known from the length alone (protocol/onion/constants.ts): any other length is no onion.
      if (!MESH_ONION_PACKET_BYTES.includes(packet.length)) return fail('bad-value', bytes.length - packet.length, `onion packet of ${packet.length} bytes: not a radio or short class packet`);
      return ok({ kind: 'onion', ...head.value, packet });
    }
    case GatewayRequestByte.onionCatalog: {
      const head = readTicketAndUrl(r);
      if (!head.ok) return head;
      r.end('onion catalog request');
      if (r.error) return r.error;
      return ok({ kind: 'onion-catalog', ...head.value });
    }
    default:
      return fail('bad-kind', 0, `unknown gateway request 0x${kind.toString(16)}`);
  }
}
