/**
 * Who this router is on the mesh: its node id, the two hints derived from it
 * (docs/PROTOCOL.md, mesh frame header: a 16-bit destination hint, an 8-bit
 * relay hint) and the keys that authenticate frames. Immutable, so every
 * part of the router may hold it.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { messageKey } from '../../protocol/mesh/frame-auth.ts';
import { FrameKind, type MeshFrame } from '../../protocol/mesh/frame-types.ts';
import { destHintOf, relayHintOf } from '../../protocol/mesh/node-id.ts';
import { decodeOriginBody } from '../../protocol/mesh/origin.ts';

export interface RouterIdentity {
  readonly suite: CryptoSuite;
  readonly meshKey: Uint8Array;
  readonly nodeId: Uint8Array;
  /** For stats and logs only (STYLE.md rule 17). */
  readonly nodeIdHex: string;
  readonly destHint: number;
  readonly relayHint: number;
}

export function createIdentity(suite: CryptoSuite, meshKey: Uint8Array, nodeId: Uint8Array): RouterIdentity {
  return { suite, meshKey, nodeId, nodeIdHex: toHex(nodeId), destHint: destHintOf(nodeId), relayHint: relayHintOf(nodeId) };
}

/** The 32-bit key a destination acks a one-frame data message by (frame-auth.ts). */
export function dataMessageKey(id: RouterIdentity, destHint: number, payload: Uint8Array): number {
  return messageKey(id.suite, id.meshKey, FrameKind.data, destHint, payload);
}

/**
 * The message key of a data frame, with or without an origin block: taken
 * over the envelope only, so that a retry whose origin changed form
 * (short -> keyed) is the same message to the destination and to every
 * relay waiting for its ack. Undefined for other kinds and malformed origins.
 */
export function frameMessageKey(id: RouterIdentity, frame: MeshFrame): number | undefined {
  if (frame.kind === FrameKind.data) return dataMessageKey(id, frame.destHint, frame.payload);
  if (frame.kind !== FrameKind.sourcedData) return undefined;
  const body = decodeOriginBody(frame.payload);
  return body.ok ? dataMessageKey(id, frame.destHint, body.value.envelope) : undefined;
}

/** This node is the frame's final receiver. */
export function isForMe(id: RouterIdentity, frame: MeshFrame): boolean {
  return frame.destHint === id.destHint && (!frame.routed || frame.hops === frame.limit);
}

/** This node is the relay a routed frame names next (route[hops]). */
export function isNamedRelay(id: RouterIdentity, frame: MeshFrame): boolean {
  return frame.routed && frame.hops < frame.limit && frame.route[frame.hops] === id.relayHint;
}

export function reversed(route: Uint8Array): Uint8Array {
  return route.slice().reverse();
}

/** Path back to the frame's source: the relays it crossed, reversed. */
export function pathBack(frame: MeshFrame): Uint8Array {
  return reversed(frame.routed ? frame.route.subarray(0, frame.hops) : frame.route);
}
