/**
 * decodeEnvelopeHeader: what anyone without keys can read from an envelope
 * of any kind, as a display view (`meow inspect`, logs, the status page):
 * byte strings as lowercase hex so the header prints as JSON. Code that
 * needs a field as bytes asks decodeEnvelopeFields (./clear-fields.ts),
 * which this view is built on (STYLE.md rule 17: bytes stay bytes on the
 * hot path). It checks structure and caps only; authenticity needs the keys.
 */
import { toHex } from '../codec/bytes.ts';
import type { DecodeResult } from '../codec/result.ts';
import { ok } from '../codec/result.ts';
import { decodeEnvelopeFields } from './clear-fields.ts';

/** Clear fields per kind; byte strings as lowercase hex so the header prints as JSON. */
export type EnvelopeHeader =
  | { readonly kind: 'direct'; readonly version: number; readonly length: number; readonly mailboxTag: string; readonly maskedCounter: number; readonly sealedBytes: number }
  | { readonly kind: 'group'; readonly version: number; readonly length: number; readonly groupTag: string; readonly senderIndex: number; readonly counter: number; readonly sealedBytes: number }
  | { readonly kind: 'broadcast'; readonly version: number; readonly length: number; readonly senderKeyId: string; readonly expiresAtSeconds: number; readonly text: string }
  | { readonly kind: 'presence'; readonly version: number; readonly length: number; readonly mailboxTag: string; readonly expiresAtSeconds: number; readonly sealedBytes: number }
  | { readonly kind: 'sensor'; readonly version: number; readonly length: number; readonly sensorId: string; readonly counter: number; readonly sealedBytes: number };

export function decodeEnvelopeHeader(bytes: Uint8Array): DecodeResult<EnvelopeHeader> {
  const decoded = decodeEnvelopeFields(bytes);
  if (!decoded.ok) return decoded;
  const f = decoded.value;
  // A decoded envelope's version is the one we speak (byte 0, high nibble).
  const version = (bytes[0] as number) >> 4;
  const length = bytes.length;
  switch (f.kind) {
    case 'direct':
      return ok({ kind: 'direct', version, length, mailboxTag: toHex(f.mailboxTag), maskedCounter: f.maskedCounter, sealedBytes: f.sealed.length });
    case 'group':
      return ok({ kind: 'group', version, length, groupTag: toHex(f.groupTag), senderIndex: f.senderIndex, counter: f.counter, sealedBytes: f.sealed.length });
    case 'broadcast':
      return ok({ kind: 'broadcast', version, length, senderKeyId: toHex(f.senderKeyId), expiresAtSeconds: f.expiresAtSeconds, text: f.text });
    case 'presence':
      return ok({ kind: 'presence', version, length, mailboxTag: toHex(f.mailboxTag), expiresAtSeconds: f.expiresAtSeconds, sealedBytes: f.sealed.length });
    case 'sensor':
      return ok({ kind: 'sensor', version, length, sensorId: toHex(f.sensorId), counter: f.counter, sealedBytes: f.sealed.length });
  }
}
