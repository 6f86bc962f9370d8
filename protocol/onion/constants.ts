/**
 * Sizes, packet classes and domain-separation labels of Matriochka onion
 * packets (docs/PROTOCOL.md section "Matriochka message packing";
 * whitepaper 1.2.2). Every length a decoder reads is fixed by a class.
 */

/** Frame type of an onion packet on a relay door (next to 0x01 sealed request, 0x02 descriptor query). */
export const ONION_FRAME_TYPE = 0x03;
/** Answer of a relay that took an onion packet: 0x84 | replyId 8. */
export const ONION_ACCEPTED_FRAME_TYPE = 0x84;

/** X25519 group element alpha, blinded at every hop (Sphinx section 3.2). */
export const ONION_ALPHA_BYTES = 32;
/** Per-hop MAC gamma: truncated HMAC-SHA-256, 128-bit forgery resistance. */
export const ONION_MAC_BYTES = 16;
/** Fixed part: frame type, alpha, gamma. */
export const ONION_FIXED_BYTES = 1 + ONION_ALPHA_BYTES + ONION_MAC_BYTES;
/** Next relay id, as protocol/server/constants.ts SERVER_ID_BYTES. */
export const ONION_NEXT_ID_BYTES = 8;
/** One routing entry: code byte (final flag, delay code), next relay id, next hop's MAC. */
export const ONION_ENTRY_BYTES = 1 + ONION_NEXT_ID_BYTES + ONION_MAC_BYTES;
/** The final payload starts with the deposit request's length. */
export const ONION_PAYLOAD_LENGTH_BYTES = 2;
/** Replay tags are 16 bytes: collisions between honest packets are negligible. */
export const ONION_REPLAY_TAG_BYTES = 16;

/** Code byte: top bit marks the last hop, the low 7 bits are the delay code (delay.ts). */
export const FINAL_HOP_FLAG = 0x80;
export const DELAY_CODE_MASK = 0x7f;

/**
 * A packet class: every packet of a class has the same size whatever its
 * hop count and the position of the hop that sees it. The class is known
 * from the frame's length alone, so no header byte names it.
 */
export interface OnionClass {
  readonly name: OnionClassName;
  /** Routing entries in beta: the longest chain this class carries. */
  readonly maxHops: number;
  /** Payload bytes delta, the deposit request and its zero padding. */
  readonly payloadBytes: number;
}

export type OnionClassName = 'radio' | 'short' | 'long';

/**
 * radio: 228 bytes, one 240-byte radio frame with the 8-byte mesh header
 *        (DESIGN.md section 5), 3 hops, a deposit of a 1..40-byte text with a sender pass;
 * short: 5 hops, most texts; long: 5 hops, 4 KiB messages (fragmented on air).
 */
export const ONION_CLASSES: Readonly<Record<OnionClassName, OnionClass>> = {
  radio: { name: 'radio', maxHops: 3, payloadBytes: 104 },
  short: { name: 'short', maxHops: 5, payloadBytes: 384 },
  long: { name: 'long', maxHops: 5, payloadBytes: 4224 },
};

export function routingBytes(c: OnionClass): number {
  return c.maxHops * ONION_ENTRY_BYTES;
}

/** Whole frame size of a class: 49 + 25 x maxHops + payload. */
export function onionPacketBytes(c: OnionClass): number {
  return ONION_FIXED_BYTES + routingBytes(c) + c.payloadBytes;
}

/** The class whose packets have exactly this many bytes. */
export function classOfLength(length: number): OnionClass | undefined {
  for (const c of Object.values(ONION_CLASSES)) if (onionPacketBytes(c) === length) return c;
  return undefined;
}

const enc = new TextEncoder();
export const ONION_LABEL = {
  hopKeys: enc.encode('meow/onion/v1/hop-keys'),
  blind: enc.encode('meow/onion/v1/blind'),
  keyRecord: enc.encode('meow/onion/v1/key'),
} as const;
