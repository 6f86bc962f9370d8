/**
 * Mesh node id: 8 bytes that name a node in `mesh://` URLs and in the mesh
 * router's tables, derived from the node's Ed25519 public key so that it
 * cannot be chosen freely:
 *
 *   nodeId = SHA-256("meow-node-id" || ed25519Public)[0..8)
 *
 * 64 bits keep accidental collisions negligible for meshes of thousands of
 * nodes; an id is a name, not an authenticator (frames are authenticated
 * with the key itself).
 */
import { concatBytes, utf8 } from '../codec/bytes.ts';
import { KEY_BYTES, type CryptoSuite } from '../crypto/suite.ts';
import { KeyError } from './errors.ts';

export const NODE_ID_BYTES = 8;
const NODE_ID_DOMAIN = utf8('meow-node-id');

export function nodeIdFromKey(suite: CryptoSuite, ed25519Public: Uint8Array): Uint8Array {
  if (!(ed25519Public instanceof Uint8Array) || ed25519Public.length !== KEY_BYTES) {
    throw new KeyError('bad-key-length', `node key must be a ${KEY_BYTES}-byte Ed25519 public key`);
  }
  return suite.sha256(concatBytes(NODE_ID_DOMAIN, ed25519Public)).slice(0, NODE_ID_BYTES);
}
