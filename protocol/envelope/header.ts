/**
 * decodeEnvelopeHeader: what anyone without keys can read from an envelope
 * of any kind (routers, relays, `meow inspect`). It checks structure and
 * caps only; authenticity needs the keys (session.open, openBroadcast...).
 */
import { toHex } from '../codec/bytes.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { decodeBroadcast } from './broadcast.ts';
import { decodeDirectEnvelope } from './direct.ts';
import { decodeGroupHeader } from './group.ts';
import { ENVELOPE_VERSION, EnvelopeKind, MAX_ENVELOPE_BYTES, RESERVED_SERVER_KINDS } from './kinds.ts';
import { decodePresence } from './presence.ts';
import { decodeSensorHeader } from './sensor.ts';

/** Clear fields per kind; byte strings as lowercase hex so the header prints as JSON. */
export type EnvelopeHeader =
  | { readonly kind: 'direct'; readonly version: number; readonly length: number; readonly mailboxTag: string; readonly maskedCounter: number; readonly sealedBytes: number }
  | { readonly kind: 'group'; readonly version: number; readonly length: number; readonly groupTag: string; readonly senderIndex: number; readonly counter: number; readonly sealedBytes: number }
  | { readonly kind: 'broadcast'; readonly version: number; readonly length: number; readonly senderKeyId: string; readonly expiresAtSeconds: number; readonly text: string }
  | { readonly kind: 'presence'; readonly version: number; readonly length: number; readonly mailboxTag: string; readonly expiresAtSeconds: number; readonly sealedBytes: number }
  | { readonly kind: 'sensor'; readonly version: number; readonly length: number; readonly sensorId: string; readonly counter: number; readonly sealedBytes: number };

export function decodeEnvelopeHeader(bytes: Uint8Array): DecodeResult<EnvelopeHeader> {
  if (bytes.length === 0) return fail('truncated', 0, 'empty envelope');
  if (bytes.length > MAX_ENVELOPE_BYTES) return fail('too-long', MAX_ENVELOPE_BYTES, `envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`);
  const first = bytes[0] as number;
  const version = first >> 4;
  const kind = first & 0x0f;
  const length = bytes.length;
  if (version !== ENVELOPE_VERSION) return fail('bad-version', 0, `envelope version ${version} is not ${ENVELOPE_VERSION}`);
  switch (kind) {
    case EnvelopeKind.direct: {
      const d = decodeDirectEnvelope(bytes);
      if (!d.ok) return d;
      return ok({ kind: 'direct', version, length, mailboxTag: toHex(d.value.mailboxTag), maskedCounter: d.value.maskedCounter, sealedBytes: d.value.sealed.length });
    }
    case EnvelopeKind.group: {
      const d = decodeGroupHeader(bytes);
      if (!d.ok) return d;
      const { groupTag, senderIndex, counter, sealed } = d.value;
      return ok({ kind: 'group', version, length, groupTag: toHex(groupTag), senderIndex, counter, sealedBytes: sealed.length });
    }
    case EnvelopeKind.broadcast: {
      const d = decodeBroadcast(bytes);
      if (!d.ok) return d;
      return ok({ kind: 'broadcast', version, length, senderKeyId: toHex(d.value.senderKeyId), expiresAtSeconds: d.value.expiresAtSeconds, text: d.value.text });
    }
    case EnvelopeKind.presence: {
      const d = decodePresence(bytes);
      if (!d.ok) return d;
      return ok({ kind: 'presence', version, length, mailboxTag: toHex(d.value.mailboxTag), expiresAtSeconds: d.value.expiresAtSeconds, sealedBytes: d.value.sealed.length });
    }
    case EnvelopeKind.sensor: {
      const d = decodeSensorHeader(bytes);
      if (!d.ok) return d;
      return ok({ kind: 'sensor', version, length, sensorId: toHex(d.value.sensorId), counter: d.value.counter, sealedBytes: d.value.sealed.length });
    }
    default:
      return fail('bad-kind', 0, RESERVED_SERVER_KINDS.includes(kind)
        ? `kind ${kind} is reserved for relay messages`
        : `unknown envelope kind ${kind}`);
  }
}
