/**
 * The first byte of every Meow envelope: protocol version in the high
 * nibble, envelope kind in the low nibble (docs/PROTOCOL.md, "Envelopes").
 *
 *   bit  7 6 5 4 | 3 2 1 0
 *        version | kind
 *
 * One byte is all a router or relay needs to know how to read the clear
 * fields that follow. The inner content type of a 1:1 message (text, ack,
 * key rotation) is NOT here: it sits inside the ciphertext, so relays
 * cannot tell an acknowledgement or a rotation from a text.
 */

export const ENVELOPE_VERSION = 1;

/** Envelope kinds on the wire (low nibble of byte 0). */
export const EnvelopeKind = {
  /** 1:1 conversation message (text, ack, rotation, data: all look alike). */
  direct: 0x1,
  /** Group message under a member's sender key. */
  group: 0x2,
  /** Emergency broadcast, Ed25519-signed, readable by all. */
  broadcast: 0x3,
  /** Presence: an address encrypted for the contacts of a conversation, with an expiry. */
  presence: 0x4,
  /** Sensor reading authenticated (and encrypted) by the sensor's key. */
  sensor: 0x5,
} as const;

export type EnvelopeKindName = keyof typeof EnvelopeKind;
export type EnvelopeKindCode = (typeof EnvelopeKind)[EnvelopeKindName];

/**
 * Kind codes 0x8-0xB are reserved for relay messages carried as envelopes.
 * (The relay's own frames in protocol/server/ start with 0x01, 0x02 or
 * 0x81-0x83, version nibbles 0 and 8, so they never parse as envelopes.)
 */
export const RESERVED_SERVER_KINDS: readonly number[] = [0x8, 0x9, 0xa, 0xb];

const NAME_BY_CODE: ReadonlyMap<number, EnvelopeKindName> = new Map(
  (Object.entries(EnvelopeKind) as [EnvelopeKindName, number][]).map(([name, code]) => [code, name]),
);

export function kindName(code: number): EnvelopeKindName | undefined {
  return NAME_BY_CODE.get(code);
}

/** Byte 0 for a kind, at the current version. */
export function versionKindByte(kind: EnvelopeKindCode): number {
  return (ENVELOPE_VERSION << 4) | kind;
}

/** Largest envelope of any kind: the mesh fragments and reassembles up to 4 KiB (DESIGN.md section 4). */
export const MAX_ENVELOPE_BYTES = 4096;
