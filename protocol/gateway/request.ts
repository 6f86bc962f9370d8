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
 */
import { fromUtf8, utf8 } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { ByteWriter } from '../codec/writer.ts';

export const GatewayRequestByte = { relayDeposit: 0xf1, registration: 0xf2 } as const;
const URL_MAX_BYTES = 255;
const TAG_MIN_BYTES = 4;
const TAG_MAX_BYTES = 32;
export const GATEWAY_ENVELOPE_MAX_BYTES = 4096;

export type GatewayRequest =
  | { readonly kind: 'relay-deposit'; readonly relayUrl: string; readonly tag: Uint8Array; readonly envelope: Uint8Array }
  | { readonly kind: 'registration'; readonly sealed: Uint8Array };

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
  }
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
    default:
      return fail('bad-kind', 0, `unknown gateway request 0x${kind.toString(16)}`);
  }
}
