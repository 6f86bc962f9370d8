/**
 * Node keys this router holds for others, and the pairwise keys derived
 * from them (protocol/mesh/origin.ts): what signs a direct message's origin
 * and keys its ack proof. Keys come from verified announces, from origin
 * blocks whose MAC verified (the keyed form proves possession of the
 * secret), and from callers that know a destination's key. Bounded, least
 * recently used forgotten first; a pair key is derived once per peer (an
 * X25519 and an HKDF) and cached with it. Owns this node's secret seed, so
 * no other part of the router handles it.
 */
import { constantTimeEqual, toHex } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { destHintOf, meshNodeId } from '../../protocol/mesh/node-id.ts';
import { pairKey } from '../../protocol/mesh/origin.ts';

export interface Peer {
  readonly nodeId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly pairKey: Uint8Array;
  /** The peer answered one of our sourced messages with a pairwise ack: it holds our key (short origin form from now on). */
  knowsUs: boolean;
}

/** Keys tried for one 16-bit hint of a short origin (hint collisions are rare; more is a cost an attacker could inflate). */
const MAX_CANDIDATES = 4;

export class PeerKeys {
  private readonly byId = new Map<string, Peer>();

  constructor(
    private readonly suite: CryptoSuite,
    private readonly ownSeed: Uint8Array,
    private readonly ownId: Uint8Array,
    private readonly maxEntries = 1024,
  ) {}

  /** The peer for a node key (derived and remembered on first use); undefined for an invalid key or our own. */
  learn(publicKey: Uint8Array): Peer | undefined {
    const nodeId = meshNodeId(this.suite, publicKey);
    const known = this.get(nodeId);
    if (known) return constantTimeEqual(known.publicKey, publicKey) ? known : undefined;
    return this.derive(nodeId, publicKey.slice(), true);
  }

  /**
   * The peer a keyed origin names, derived but not yet remembered: the
   * caller remembers it (keep) only once its MAC verified, so made-up keys
   * do not push real peers out.
   */
  candidate(publicKey: Uint8Array): { peer: Peer; keep: () => void } | undefined {
    const nodeId = meshNodeId(this.suite, publicKey);
    const known = this.get(nodeId);
    if (known) return constantTimeEqual(known.publicKey, publicKey) ? { peer: known, keep: () => undefined } : undefined;
    const peer = this.derive(nodeId, publicKey.slice(), false);
    return peer && { peer, keep: () => this.remember(peer) };
  }

  get(nodeId: Uint8Array): Peer | undefined {
    const key = toHex(nodeId);
    const p = this.byId.get(key);
    if (p) {
      this.byId.delete(key);
      this.byId.set(key, p);
    }
    return p;
  }

  /** Peers whose node id starts with this 16-bit hint (at most a few). */
  byHint(hint: number): Peer[] {
    const out: Peer[] = [];
    for (const p of this.byId.values()) {
      if (destHintOf(p.nodeId) === hint) out.push(p);
      if (out.length >= MAX_CANDIDATES) break;
    }
    return out;
  }

  private derive(nodeId: Uint8Array, publicKey: Uint8Array, keep: boolean): Peer | undefined {
    if (constantTimeEqual(nodeId, this.ownId)) return undefined;
    const key = pairKey(this.suite, this.ownSeed, this.ownId, publicKey, nodeId);
    if (!key) return undefined;
    const peer: Peer = { nodeId, publicKey, pairKey: key, knowsUs: false };
    if (keep) this.remember(peer);
    return peer;
  }

  private remember(peer: Peer): void {
    const key = toHex(peer.nodeId);
    this.byId.delete(key);
    if (this.byId.size >= this.maxEntries) {
      const oldest = this.byId.keys().next();
      if (!oldest.done) this.byId.delete(oldest.value);
    }
    this.byId.set(key, peer);
  }
}
