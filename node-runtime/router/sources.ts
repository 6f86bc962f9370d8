/**
 * Authenticated sources (docs/PROTOCOL.md, "Authenticated source"): the
 * origin block a sender puts before a direct envelope when it knows the
 * destination's node key, and what the destination makes of one. A source
 * whose MAC does not verify under a key this node holds is delivered as
 * unauthenticated, never as the node it names.
 */
import { ackProof } from '../../protocol/mesh/frame-auth.ts';
import { decodeOriginBody, encodeOriginBody, originMac, pairAckProof } from '../../protocol/mesh/origin.ts';
import { constantTimeEqual } from '../../protocol/codec/bytes.ts';
import type { RouterIdentity } from './identity.ts';
import type { Peer, PeerKeys } from './peer-keys.ts';

/** origin || envelope for `peer`: the short form (the peer holds our key) or the keyed form. */
export function sealOrigin(id: RouterIdentity, ownPublicKey: Uint8Array, peer: Peer, envelope: Uint8Array, short: boolean): Uint8Array {
  const mac = originMac(id.suite, peer.pairKey, id.nodeId, peer.nodeId, envelope);
  return short
    ? encodeOriginBody({ form: 'short', sourceHint: id.destHint, mac }, envelope)
    : encodeOriginBody({ form: 'keyed', publicKey: ownPublicKey, mac }, envelope);
}

export interface OpenedOrigin {
  readonly envelope: Uint8Array;
  /** The authenticated source; undefined when its key is unknown here or its MAC did not verify. */
  readonly source: Peer | undefined;
  /** An origin block whose MAC failed under the key it named or every key its hint matched. */
  readonly forged: boolean;
}

/** Undefined when the body is not a well-formed origin block and envelope. */
export function openOrigin(id: RouterIdentity, peers: PeerKeys, body: Uint8Array): OpenedOrigin | undefined {
  const decoded = decodeOriginBody(body);
  if (!decoded.ok) return undefined;
  const { origin, envelope } = decoded.value;
  const verifies = (peer: Peer): boolean =>
    constantTimeEqual(originMac(id.suite, peer.pairKey, peer.nodeId, id.nodeId, envelope), origin.mac);
  if (origin.form === 'keyed') {
    const c = peers.candidate(origin.publicKey);
    if (!c) return { envelope, source: undefined, forged: true };
    if (!verifies(c.peer)) return { envelope, source: undefined, forged: true };
    c.keep();
    return { envelope, source: c.peer, forged: false };
  }
  const candidates = peers.byHint(origin.sourceHint);
  const source = candidates.find(verifies);
  return { envelope, source, forged: source === undefined && candidates.length > 0 };
}

/** The ack proof for `ackedKey`: pairwise when the source is authenticated (only it can check it), else under the network key. */
export function proofFor(id: RouterIdentity, source: Peer | undefined, ackedKey: number): Uint8Array {
  return source ? pairAckProof(id.suite, source.pairKey, id.nodeId, ackedKey) : ackProof(id.suite, id.meshKey, id.nodeId, ackedKey);
}
