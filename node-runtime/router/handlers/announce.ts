/**
 * Announces heard (whitepaper section 6.1, the server catalog): verified,
 * replay-checked by sequence, then they teach a neighbour and a route, and
 * are relayed on within the shared announce airtime budget (announcer.ts).
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import { decodeAnnounce, verifyAnnounce } from '../../../protocol/mesh/announce.ts';
import { BROADCAST_HINT } from '../../../protocol/mesh/frame-types.ts';
import { meshNodeId } from '../../../protocol/mesh/node-id.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { Announcer } from '../announcer.ts';
import { type RouterIdentity } from '../identity.ts';
import type { PeerKeys } from '../peer-keys.ts';
import type { Forwarder } from '../relay.ts';
import type { NeighbourTable, RouteTable, ServerCatalog } from '../tables.ts';
import type { RouterConfig, RouterCounters } from '../types.ts';
import type { FrameHandler } from './frame-handler.ts';

export interface AnnounceHandlerDeps {
  readonly identity: RouterIdentity;
  readonly cfg: RouterConfig;
  readonly clock: Clock;
  readonly counters: RouterCounters;
  readonly catalog: ServerCatalog;
  readonly neighbours: NeighbourTable;
  readonly routes: RouteTable;
  readonly announcer: Announcer;
  readonly forwarder: Forwarder;
  readonly peers: PeerKeys;
}

export function createAnnounceHandler(d: AnnounceHandlerDeps): FrameHandler {
  return (frame, seen, rx) => {
    const a = decodeAnnounce(frame.payload);
    if (!a.ok || frame.routed || frame.destHint !== BROADCAST_HINT) {
      d.counters.malformed++;
      return;
    }
    if (!verifyAnnounce(d.identity.suite, a.value)) {
      d.counters.badAnnounces++;
      return;
    }
    const id = meshNodeId(d.identity.suite, a.value.publicKey);
    // The catalog is keyed and shown by hex id: it is the status view, not the hot path.
    const nodeId = toHex(id);
    if (nodeId === d.identity.nodeIdHex) return;
    const now = d.clock.now();
    const verdict = d.catalog.offer({
      nodeId, publicKey: a.value.publicKey, flags: a.value.flags, sequence: a.value.sequence, hops: frame.hops, lastHeardMs: now,
    });
    if (verdict === 'replay') {
      d.counters.replayedAnnounces++;
      return;
    }
    // A signed announce gives the node's key: direct messages to it can carry an origin (sources.ts).
    d.peers.learn(a.value.publicKey);
    if (frame.hops === 0) d.neighbours.heard(id[0] as number, now, rx.snrDb, rx.rssiDbm, nodeId);
    // The signature covers the announce, not the relay hints appended on its way: no route from them (issue 9 item 3).
    if (frame.hops < frame.limit && d.announcer.spend(frame.payload.length + frame.route.length + 9)) {
      d.forwarder.scheduleFloodRelay(frame, seen, rx.snrDb, d.cfg.floodSuppressBroadcast);
    }
  };
}
