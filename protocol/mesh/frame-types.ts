/**
 * Mesh frame: the unit a Link carries (docs/PROTOCOL.md section "mesh").
 *
 *   byte 0          byte 1          bytes 2-3           bytes 4-7
 *  +-----+---------+---------+-----+-------------------+-------------------------+
 *  |kind | limit   | hops    |flags| destination hint  | frame id (HMAC, 32 bit) |
 *  | 3b  | 5b      | 5b (mut)| 3b  | u16 BE            | u32                     |
 *  +-----+---------+---------+-----+-------------------+-------------------------+
 *  | route: `hops` bytes (flood, mutable) or `limit` bytes (routed)  | payload ... |
 *  +-----------------------------------------------------------------+-------------+
 *
 *  kind   0 data, 1 fragment, 2 ack, 3 fragment request, 4 announce, 5 route request,
 *         6 sourced data (a data frame whose payload starts with an origin block, origin.ts) (7 refused)
 *  limit  flood: relays allowed 0..31 (0: neighbours only). routed: relays in the route 0..31
 *  hops   flood: relays passed so far (= route bytes carried). routed: index of
 *         the next relay in the route (the frame is for the destination when
 *         hops == limit). Relays change it: not authenticated.
 *  flags  bit 2: routed (source route present); bits 1-0: attempt 0..3 (so an
 *         end-to-end retry gets a fresh frame id and crosses duplicate caches)
 *  dest   first two bytes of the destination node id; 0xFFFF = everyone
 *  id     first 4 bytes of HMAC-SHA-256(mesh key, authenticated bytes): both
 *         the duplicate-cache key and the authenticator (frame-auth.ts)
 *  source first two bytes of the source's node id (floods only): every node a
 *         flood reaches learns the reversed relay list as a route back to it
 *  route  1-byte relay hints (first byte of each relay's node id)
 *
 * Fixed header: 8 bytes. A routed frame to a neighbour carries no route
 * byte (a 5-byte text: 8 + 32-byte envelope = 40 bytes on air); a flood adds
 * 2 bytes of source hint and 1 byte per relay crossed.
 */

export const FRAME_HEADER_BYTES = 8;
export const FRAME_ID_BYTES = 4;
export const MAX_HOP_LIMIT = 31;
export const MAX_ROUTE_HOPS = 31;
export const MAX_ATTEMPT = 3;
export const BROADCAST_HINT = 0xffff;
/** Bytes of the source hint that precedes a flood's relay hints. */
export const FLOOD_SOURCE_BYTES = 2;

/** Frame kinds (3 bits). Value 7 is refused by the decoder ('bad-kind'). */
export const FrameKind = {
  data: 0,
  fragment: 1,
  ack: 2,
  fragmentRequest: 3,
  announce: 4,
  routeRequest: 5,
  /** A direct data frame whose payload is an origin block and the envelope (origin.ts): the destination learns an authenticated source. */
  sourcedData: 6,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];
export const FRAME_KIND_COUNT = 7;

export function frameKindName(kind: FrameKind): string {
  switch (kind) {
    case FrameKind.data: return 'data';
    case FrameKind.fragment: return 'fragment';
    case FrameKind.ack: return 'ack';
    case FrameKind.fragmentRequest: return 'fragment-request';
    case FrameKind.announce: return 'announce';
    case FrameKind.routeRequest: return 'route-request';
    case FrameKind.sourcedData: return 'sourced-data';
  }
}

/** A decoded frame. Byte fields are views into the received buffer. */
export interface MeshFrame {
  readonly kind: FrameKind;
  /** Flood: hop limit. Routed: route length. */
  readonly limit: number;
  /** Mutable hop counter (see the diagram). */
  readonly hops: number;
  readonly routed: boolean;
  readonly attempt: number;
  readonly destHint: number;
  /** Flood: the source's 16-bit hint. Routed: undefined. */
  readonly sourceHint: number | undefined;
  /** Frame id as an unsigned 32-bit integer. */
  readonly frameId: number;
  /** Relay hints: `hops` bytes for a flood, `limit` bytes for a routed frame. */
  readonly route: Uint8Array;
  readonly payload: Uint8Array;
}

/** Data frames, with or without an origin block: relays treat them alike (same message key, same ack). */
export function isDataKind(kind: FrameKind): boolean {
  return kind === FrameKind.data || kind === FrameKind.sourcedData;
}
