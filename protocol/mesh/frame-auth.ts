/**
 * The frame id is a MAC (docs/PROTOCOL.md section "mesh", "Frame id"):
 *
 *   id = first 4 bytes of HMAC-SHA-256(meshKey, 0x01 || b0 || (b1 & 0x07) || dest || (routed ? route : source) || payload)
 *
 * It covers every field except those a relay must change (hop counter and
 * a flood's relay hints), so one 32-bit value is both the duplicate-cache key
 * and the authenticator: relays recompute it before forwarding and drop
 * (and count) frames that do not verify. With a private network key only
 * members can make frames; with the public default key it gives integrity
 * only. Two more derivations share the key, separated by their first byte:
 *
 *   message key = HMAC(meshKey, 0x02 || kind || dest || payload)[0..4]    (retry-independent dedup / ack reference)
 *   ack proof   = HMAC(meshKey, 0x03 || destNodeId(8) || ackedKey(4))[0..4]
 *
 * The ack proof binds the full destination node id, so a node that merely
 * shares the 16-bit hint cannot acknowledge for the real destination.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { MeshError } from './errors.ts';
import { headerBytes, type FrameFields } from './frame.ts';
import { mac32 } from './keyed-mac.ts';
import type { MeshFrame } from './frame-types.ts';

export const MESH_KEY_BYTES = 32;

/**
 * The public default mesh key: SHA-256("meow-mesh-default-key-v1").
 * Like Meshtastic's default channel key it is known to all, so frames under
 * it are checked for integrity, not origin.
 */
export function defaultMeshKey(suite: CryptoSuite): Uint8Array {
  return suite.sha256(new TextEncoder().encode('meow-mesh-default-key-v1'));
}

function checkKey(key: Uint8Array): void {
  if (key.length !== MESH_KEY_BYTES) throw new MeshError('bad-key', `mesh key must be ${MESH_KEY_BYTES} bytes`);
}

/** Scratch for the fixed-size parts of the MAC inputs (keyed-mac.ts: synchronous, nothing awaits in between). */
const head = new Uint8Array(5);
const hint = new Uint8Array(2);
const keyHead = new Uint8Array(4);
const noRoute = new Uint8Array(0);

/** HMAC over 0x01 || b0 || (b1 & 0x07) || dest || (routed ? route : source) || payload, first 4 bytes. */
function frameMac(meshKey: Uint8Array, b0: number, b1: number, f: FrameFields | MeshFrame): number {
  head[0] = 0x01;
  head[1] = b0;
  head[2] = b1 & 0x07;
  head[3] = f.destHint >>> 8;
  head[4] = f.destHint & 0xff;
  return mac32(meshKey, head, authenticatedRoute(f.routed, f.route, f.sourceHint), f.payload);
}

/** Routed: the source route. Flood: the 2-byte source hint (the relay hints change on the way). */
function authenticatedRoute(routed: boolean, route: Uint8Array | undefined, sourceHint: number | undefined): Uint8Array {
  if (routed) return route ?? noRoute;
  const s = sourceHint ?? 0;
  hint[0] = s >>> 8;
  hint[1] = s & 0xff;
  return hint;
}

/**
 * The id a source puts in a frame it creates. The suite argument is kept for
 * callers; the MAC is keyed-mac.ts's HMAC-SHA-256, the same bytes as the
 * suite's hmacSha256, with the key's pads hashed once per key.
 */
export function computeFrameId(_suite: CryptoSuite, meshKey: Uint8Array, f: FrameFields): number {
  checkKey(meshKey);
  const [b0, b1] = headerBytes(f);
  return frameMac(meshKey, b0, b1, f);
}

/**
 * True when a received frame's id is the MAC of its authenticated fields
 * (a comparison of two 32-bit integers: it does not depend on where they differ).
 */
export function verifyFrameId(_suite: CryptoSuite, meshKey: Uint8Array, f: MeshFrame): boolean {
  checkKey(meshKey);
  const b0 = (f.kind << 5) | f.limit;
  const b1 = (f.routed ? 4 : 0) | f.attempt;
  return frameMac(meshKey, b0, b1, f) === f.frameId >>> 0;
}

/** Retry-independent key of a data message (same for every attempt and route). */
export function messageKey(_suite: CryptoSuite, meshKey: Uint8Array, kind: number, destHint: number, payload: Uint8Array): number {
  checkKey(meshKey);
  const input = keyHead;
  input[0] = 0x02;
  input[1] = kind;
  input[2] = destHint >>> 8;
  input[3] = destHint & 0xff;
  return mac32(meshKey, input, payload);
}

/** The 4-byte proof a destination puts in its acknowledgement. */
export function ackProof(_suite: CryptoSuite, meshKey: Uint8Array, destNodeId: Uint8Array, ackedKey: number): Uint8Array {
  checkKey(meshKey);
  if (destNodeId.length !== 8) throw new MeshError('bad-key', 'node id must be 8 bytes');
  const input = new Uint8Array(13);
  input[0] = 0x03;
  input.set(destNodeId, 1);
  input[9] = ackedKey >>> 24;
  input[10] = (ackedKey >>> 16) & 0xff;
  input[11] = (ackedKey >>> 8) & 0xff;
  input[12] = ackedKey & 0xff;
  const v = mac32(meshKey, input, noRoute);
  return new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}
