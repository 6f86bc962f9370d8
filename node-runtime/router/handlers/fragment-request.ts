/** Fragment requests (selective repeat): forwarded along their route; at the source, the outbox resends what they name. */
import { decodeFragmentRequest } from '../../../protocol/mesh/control.ts';
import { isForMe, isNamedRelay, type RouterIdentity } from '../identity.ts';
import type { Outbox } from '../outbox.ts';
import type { Forwarder } from '../relay.ts';
import type { RouterCounters } from '../types.ts';
import type { FrameHandler } from './frame-handler.ts';

export interface FragmentRequestHandlerDeps {
  readonly identity: RouterIdentity;
  readonly counters: RouterCounters;
  readonly forwarder: Forwarder;
  readonly outbox: Outbox;
}

export function createFragmentRequestHandler(d: FragmentRequestHandlerDeps): FrameHandler {
  return (frame, seen) => {
    if (!frame.routed) {
      d.counters.malformed++;
      return;
    }
    if (!isForMe(d.identity, frame)) {
      if (isNamedRelay(d.identity, frame)) d.forwarder.forwardRouted(frame, seen, 'ack');
      return;
    }
    const q = decodeFragmentRequest(frame.payload);
    if (!q.ok) {
      d.counters.malformed++;
      return;
    }
    d.outbox.onFragmentRequest(q.value.messageId, q.value.missing, frame.route);
  };
}
