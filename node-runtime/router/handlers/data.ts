/**
 * Data frames: a broadcast is delivered and relayed on; a direct message for
 * this node is stored, then acked along the reversed path (again for each
 * repeated copy, once stored); anything else is relayed or forwarded.
 */
import { BROADCAST_HINT } from '../../../protocol/mesh/frame-types.ts';
import { dataMessageKey, isForMe, pathBack, type RouterIdentity } from '../identity.ts';
import type { Inbox } from '../inbox.ts';
import type { Forwarder } from '../relay.ts';
import type { RouterConfig } from '../types.ts';
import type { SendAck } from './ack.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { RouteTable } from '../tables.ts';
import type { RepliedPaths } from './route-request.ts';
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
}

export function createDataHandler(d: DataHandlerDeps): FrameHandler {
  return (frame, seen, rx) => {
    if (frame.destHint === BROADCAST_HINT) {
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
    const key = dataMessageKey(d.identity, frame.destHint, frame.payload);
    const back = pathBack(frame);
    const requester = frame.routed ? d.replied.requesterOf(frame.route, d.clock.now()) : undefined;
    if (requester !== undefined) d.routes.learn(requester, back, 'ack', d.clock.now());
    // A repeated copy re-sends the ack, but only once the envelope is
    // delivered (stored): never an ack for what the store refused.
    const sendAck = (): void => {
      seen.reAck = () => d.sendAck(key, back, frame.attempt);
      d.sendAck(key, back, frame.attempt);
    };
    if (d.inbox.wasDelivered(key)) {
      sendAck();
      return;
    }
    void d.inbox.acceptThenAck(frame.payload, key, frame.hops, sendAck);
  };
}
