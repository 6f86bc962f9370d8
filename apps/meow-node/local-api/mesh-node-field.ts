/**
 * A submission's `meshNode` field, as the local API (envelope-routes.ts) and
 * the web client's API (../web/routes.ts) take it: the node id (16 hex
 * digits, a card's `mesh://<node id>` entry) or the node's Ed25519 key (64,
 * a `mesh://<node key>` entry). With the key the message goes with an
 * authenticated origin even to a node this one never heard
 * (submission-attempt.ts); a key that is no valid point is refused here, with
 * the field named, rather than queued to fail at every attempt.
 */
import { MESH_NODE_KEY_BYTES as NODE_KEY_BYTES } from '../../../protocol/card/server-url.ts';
import { NODE_ID_BYTES } from '../../../protocol/keys/node-id.ts';
import { isAcceptableEd25519PublicKey } from '../../../protocol/keys/validate.ts';
import { LocalApiError } from './errors.ts';
import { hexField, requireString } from './fields.ts';

/** The 8-byte id or 32-byte key of the mesh node in `body.meshNode`; undefined when the field is absent. */
export function meshNodeField(body: unknown): Uint8Array | undefined {
  if ((body as Record<string, unknown> | undefined)?.meshNode === undefined) return undefined;
  const v = requireString(body, 'meshNode');
  if (v.length !== 2 * NODE_ID_BYTES && v.length !== 2 * NODE_KEY_BYTES) {
    throw new LocalApiError('bad-request', `"meshNode" is the node id (${2 * NODE_ID_BYTES} hex digits) or the node key (${2 * NODE_KEY_BYTES})`, { field: 'meshNode' });
  }
  const node = hexField(body, 'meshNode');
  if (node.length === NODE_KEY_BYTES && !isAcceptableEd25519PublicKey(node)) {
    throw new LocalApiError('bad-request', '"meshNode" is not a valid Ed25519 node key', { field: 'meshNode' });
  }
  return node;
}
