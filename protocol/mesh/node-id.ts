/**
 * Mesh node ids (DESIGN brief for issue 3): the first 8 bytes of
 * SHA-256("meow-node-id" || node Ed25519 public key). Frames carry short
 * hints of it: the first two bytes name a destination, the first byte names
 * a relay in a route. Users' identities never appear here: a node id names
 * a board, not a person.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { nodeIdFromKey } from '../keys/node-id.ts';

export const NODE_ID_BYTES = 8;

/** The node id (protocol/keys/node-id.ts: one definition for every layer). */
export function meshNodeId(suite: CryptoSuite, nodePublicKey: Uint8Array): Uint8Array {
  return nodeIdFromKey(suite, nodePublicKey);
}

/** 16-bit destination hint: the first two bytes of the node id, big-endian. */
export function destHintOf(nodeId: Uint8Array): number {
  return ((nodeId[0] as number) << 8) | (nodeId[1] as number);
}

/** 8-bit relay hint: the first byte of the node id. */
export function relayHintOf(nodeId: Uint8Array): number {
  return nodeId[0] as number;
}

/** The relay hint of a destination hint (its high byte), used to end a route. */
export function relayHintOfDest(destHint: number): number {
  return destHint >>> 8;
}
