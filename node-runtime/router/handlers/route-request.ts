/** Route requests: the destination answers with an ack of the request's frame id along the reversed path. */
import { BROADCAST_HINT } from '../../../protocol/mesh/frame-types.ts';
import { pathBack, type RouterIdentity } from '../identity.ts';
import type { Forwarder } from '../relay.ts';
import type { RouterConfig, RouterCounters } from '../types.ts';
import type { SendAck } from './ack.ts';
import type { FrameHandler } from './frame-handler.ts';

export interface RouteRequestHandlerDeps {
  readonly identity: RouterIdentity;
  readonly cfg: RouterConfig;
  readonly counters: RouterCounters;
  readonly forwarder: Forwarder;
  readonly sendAck: SendAck;
}

export function createRouteRequestHandler(d: RouteRequestHandlerDeps): FrameHandler {
  return (frame, seen, rx) => {
    if (frame.routed || frame.destHint === BROADCAST_HINT) {
      d.counters.malformed++;
      return;
    }
    if (frame.destHint !== d.identity.destHint) {
      // The reply (an ack of this frame id) cancels waiting relays of the request.
      d.forwarder.scheduleFloodRelay(frame, seen, rx.snrDb, d.cfg.floodSuppressDirect, frame.frameId);
      return;
    }
    const back = pathBack(frame);
    seen.reAck = () => d.sendAck(frame.frameId, back, frame.attempt);
    d.sendAck(frame.frameId, back, frame.attempt);
  };
}
