/**
 * Data frames: a broadcast is delivered and relayed on; a direct message for
 * this node is stored, then acked along the reversed path (again for each
 * repeated copy, once stored); anything else is relayed or forwarded. A
 * sourced data frame (kind 6) names its sender in an origin block
 * (sources.ts): delivered with the sender when it verifies, else as
 * unauthenticated.
 */
import { BROADCAST_HINT, FrameKind } from '../../../protocol/mesh/frame-types.ts';
import { dataMessageKey, isForMe, pathBack, type RouterIdentity } from '../identity.ts';
import type { Inbox } from '../inbox.ts';
import type { Forwarder } from '../relay.ts';
import type { RouterConfig } from '../types.ts';
import type { SendAck } from './ack.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { RouteTable } from '../tables.ts';
import type { RepliedPaths } from './route-request.ts';
import type { Peer, PeerKeys } from '../peer-keys.ts';
import { openOrigin } from '../sources.ts';
import type { RouterCounters } from '../types.ts';
import type { FrameHandler } from './frame-handler.ts';

export interface DataHandlerDeps {
  readonly identity: RouterIdentity;
  readonly cfg: RouterConfig;
  readonly inbox: Inbox;
  readonly forwarder: Forwarder;
  readonly sendAck: SendAck;
  readonly replied: RepliedPaths;
  readonly routes: RouteTable;
  readonly clock: Clock;
  readonly peers: PeerKeys;
  readonly counters: RouterCounters;
}

export function createDataHandler(d: DataHandlerDeps): FrameHandler {
  return (frame, seen, rx) => {
    if (frame.destHint === BROADCAST_HINT) {
      if (frame.kind === FrameKind.sourcedData) {
        // A broadcast has no single destination to share a key with.
        d.counters.malformed++;
        return;
      }
      if (!frame.routed) {
        d.inbox.deliverBroadcast(frame.payload, frame.frameId, frame.hops);
        d.forwarder.scheduleFloodRelay(frame, seen, rx.snrDb, d.cfg.floodSuppressBroadcast);
      }
      return;
    }
    if (!isForMe(d.identity, frame)) {
      d.forwarder.relayOrForward(frame, seen, rx.snrDb);
      return;
    }
    let envelope = frame.payload;
    let source: Peer | undefined;
    if (frame.kind === FrameKind.sourcedData) {
      const opened = openOrigin(d.identity, d.peers, frame.payload);
      if (!opened) {
        d.counters.malformed++;
        return;
      }
      envelope = opened.envelope;
      source = opened.source;
      if (source) d.counters.sourcesAuthenticated++;
      else if (opened.forged) d.counters.forgedSources++;
    }
    const key = dataMessageKey(d.identity, frame.destHint, envelope);
    const back = pathBack(frame);
    const requester = frame.routed ? d.replied.requesterOf(frame.route, d.clock.now()) : undefined;
    if (requester !== undefined) d.routes.learn(requester, back, 'ack', d.clock.now());
    // A repeated copy re-sends the ack, but only once the envelope is
    // delivered (stored): never an ack for what the store refused.
    const sendAck = (): void => {
      seen.reAck = () => d.sendAck(key, back, frame.attempt, source);
      d.sendAck(key, back, frame.attempt, source);
    };
    if (d.inbox.wasDelivered(key)) {
      sendAck();
      return;
    }
    void d.inbox.acceptThenAck(envelope, key, frame.hops, sendAck, source);
  };
}
