/**
 * decodeEnvelopeFields: the clear fields of an envelope of any kind as
 * bytes, for the code on the hot path (a node filing a delivered envelope
 * under its mailbox tag, a gateway, a relay). It checks structure and caps
 * only, like every decoder here (STYLE.md rule 4: hostile bytes give a
 * DecodeResult with an offset, never an exception); authenticity needs the
 * keys (session.open, openBroadcast, openGroupMessage, openSensorReading).
 *
 * Byte strings are views into the input (no copy): a caller that keeps one
 * beyond the input's life copies it (the store copies what it is given).
 * The hex view for `meow inspect` and logs is decodeEnvelopeHeader
 * (./header.ts), built on this one so that both accept the same bytes.
 *
 * Layouts per kind: ./direct.ts, ./group.ts, ./broadcast.ts, ./presence.ts,
 * ./sensor.ts, and docs/PROTOCOL.md "Envelopes".
 */
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { decodeBroadcast } from './broadcast.ts';
import { decodeDirectEnvelope } from './direct.ts';
import { decodeGroupHeader } from './group.ts';
import { ENVELOPE_VERSION, EnvelopeKind, MAX_ENVELOPE_BYTES, RESERVED_SERVER_KINDS } from './kinds.ts';
import { decodePresence } from './presence.ts';
import { decodeSensorHeader } from './sensor.ts';

export interface DirectFields {
  readonly kind: 'direct';
  /** 6 bytes: the recipient's current mailbox tag. */
  readonly mailboxTag: Uint8Array;
  /** Counter XOR mask, as on the wire; only a key holder can unmask it. */
  readonly maskedCounter: number;
  /** Ciphertext || AEAD tag. */
  readonly sealed: Uint8Array;
}

export interface GroupFields {
  readonly kind: 'group';
  /** 6 bytes: names the group without revealing its id. */
  readonly groupTag: Uint8Array;
  readonly senderIndex: number;
  readonly counter: number;
  readonly sealed: Uint8Array;
}

export interface BroadcastClearFields {
  readonly kind: 'broadcast';
  /** 8 bytes: names the broadcaster's Ed25519 key. */
  readonly senderKeyId: Uint8Array;
  readonly expiresAtSeconds: number;
  /** Readable by all (the signature is not checked here). */
  readonly text: string;
}

export interface PresenceFields {
  readonly kind: 'presence';
  /** 6 bytes: the publisher's own mailbox tag. */
  readonly mailboxTag: Uint8Array;
  readonly expiresAtSeconds: number;
  readonly sealed: Uint8Array;
}

export interface SensorFields {
  readonly kind: 'sensor';
  /** 4 bytes: names the sensor's key. */
  readonly sensorId: Uint8Array;
  readonly counter: number;
  readonly sealed: Uint8Array;
}

/** Clear fields per kind, byte strings as bytes; switch on `kind`. */
export type EnvelopeFields = DirectFields | GroupFields | BroadcastClearFields | PresenceFields | SensorFields;

export function decodeEnvelopeFields(bytes: Uint8Array): DecodeResult<EnvelopeFields> {
  if (bytes.length === 0) return fail('truncated', 0, 'empty envelope');
  if (bytes.length > MAX_ENVELOPE_BYTES) return fail('too-long', MAX_ENVELOPE_BYTES, `envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`);
  const first = bytes[0] as number;
  const version = first >> 4;
  const kind = first & 0x0f;
  if (version !== ENVELOPE_VERSION) return fail('bad-version', 0, `envelope version ${version} is not ${ENVELOPE_VERSION}`);
  switch (kind) {
    case EnvelopeKind.direct: {
      const d = decodeDirectEnvelope(bytes);
      if (!d.ok) return d;
      return ok({ kind: 'direct', mailboxTag: d.value.mailboxTag, maskedCounter: d.value.maskedCounter, sealed: d.value.sealed });
    }
    case EnvelopeKind.group: {
      const d = decodeGroupHeader(bytes);
      if (!d.ok) return d;
      const { groupTag, senderIndex, counter, sealed } = d.value;
      return ok({ kind: 'group', groupTag, senderIndex, counter, sealed });
    }
    case EnvelopeKind.broadcast: {
      const d = decodeBroadcast(bytes);
      if (!d.ok) return d;
      const { senderKeyId, expiresAtSeconds, text } = d.value;
      return ok({ kind: 'broadcast', senderKeyId, expiresAtSeconds, text });
    }
    case EnvelopeKind.presence: {
      const d = decodePresence(bytes);
      if (!d.ok) return d;
      return ok({ kind: 'presence', mailboxTag: d.value.mailboxTag, expiresAtSeconds: d.value.expiresAtSeconds, sealed: d.value.sealed });
    }
    case EnvelopeKind.sensor: {
      const d = decodeSensorHeader(bytes);
      if (!d.ok) return d;
      return ok({ kind: 'sensor', sensorId: d.value.sensorId, counter: d.value.counter, sealed: d.value.sealed });
    }
    default:
      return fail('bad-kind', 0, RESERVED_SERVER_KINDS.includes(kind)
        ? `kind ${kind} is reserved for relay messages`
        : `unknown envelope kind ${kind}`);
  }
}
