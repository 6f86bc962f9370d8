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
import { constantTimeEqual } from '../codec/bytes.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { MeshError } from './errors.ts';
import { headerBytes, type FrameFields } from './frame.ts';
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

function first32(mac: Uint8Array): number {
  return (((mac[0] as number) << 24) >>> 0) + (((mac[1] as number) << 16) | ((mac[2] as number) << 8) | (mac[3] as number));
}

function macInput(b0: number, b1: number, destHint: number, route: Uint8Array, payload: Uint8Array): Uint8Array {
  const routeLength = route.length;
  const input = new Uint8Array(5 + routeLength + payload.length);
  input[0] = 0x01;
  input[1] = b0;
  input[2] = b1 & 0x07;
  input[3] = destHint >>> 8;
  input[4] = destHint & 0xff;
  input.set(route, 5);
  input.set(payload, 5 + routeLength);
  return input;
}

/** Routed: the source route. Flood: the 2-byte source hint (the relay hints change on the way). */
function authenticatedRoute(routed: boolean, route: Uint8Array | undefined, sourceHint: number | undefined): Uint8Array {
  if (routed) return route ?? new Uint8Array(0);
  const s = sourceHint ?? 0;
  return new Uint8Array([s >>> 8, s & 0xff]);
}

/** The id a source puts in a frame it creates. */
export function computeFrameId(suite: CryptoSuite, meshKey: Uint8Array, f: FrameFields): number {
  checkKey(meshKey);
  const [b0, b1] = headerBytes(f);
  return first32(suite.hmacSha256(meshKey, macInput(b0, b1, f.destHint, authenticatedRoute(f.routed, f.route, f.sourceHint), f.payload)));
}

/** True when a received frame's id is the MAC of its authenticated fields. */
export function verifyFrameId(suite: CryptoSuite, meshKey: Uint8Array, f: MeshFrame): boolean {
  checkKey(meshKey);
  const b0 = (f.kind << 5) | f.limit;
  const b1 = (f.routed ? 4 : 0) | f.attempt;
  const mac = suite.hmacSha256(meshKey, macInput(b0, b1, f.destHint, authenticatedRoute(f.routed, f.route, f.sourceHint), f.payload));
  const id = new Uint8Array([f.frameId >>> 24, (f.frameId >>> 16) & 0xff, (f.frameId >>> 8) & 0xff, f.frameId & 0xff]);
  return constantTimeEqual(mac.subarray(0, 4), id);
}

/** Retry-independent key of a data message (same for every attempt and route). */
export function messageKey(suite: CryptoSuite, meshKey: Uint8Array, kind: number, destHint: number, payload: Uint8Array): number {
  checkKey(meshKey);
  const input = new Uint8Array(4 + payload.length);
  input[0] = 0x02;
  input[1] = kind;
  input[2] = destHint >>> 8;
  input[3] = destHint & 0xff;
  input.set(payload, 4);
  return first32(suite.hmacSha256(meshKey, input));
}

/** The 4-byte proof a destination puts in its acknowledgement. */
export function ackProof(suite: CryptoSuite, meshKey: Uint8Array, destNodeId: Uint8Array, ackedKey: number): Uint8Array {
  checkKey(meshKey);
  if (destNodeId.length !== 8) throw new MeshError('bad-key', 'node id must be 8 bytes');
  const input = new Uint8Array(13);
  input[0] = 0x03;
  input.set(destNodeId, 1);
  input[9] = ackedKey >>> 24;
  input[10] = (ackedKey >>> 16) & 0xff;
  input[11] = (ackedKey >>> 8) & 0xff;
  input[12] = ackedKey & 0xff;
  return suite.hmacSha256(meshKey, input).slice(0, 4);
}
