/**
 * Fragments (docs/PROTOCOL.md, fragmentation): reassembly of messages for
 * this node, with fragment requests for what is missing, and relaying of the
 * rest. Owns the reassembler and the timer that asks for missing fragments.
 */
import { encodeFragmentRequest } from '../../../protocol/mesh/control.ts';
import { decodeFragment } from '../../../protocol/mesh/fragment.ts';
import { FrameKind } from '../../../protocol/mesh/frame-types.ts';
import { DuplicateCache } from '../../../protocol/mesh/dedup.ts';
import { DEFAULT_REASSEMBLY, Reassembler } from '../../../protocol/mesh/reassembly.ts';
import type { Clock, TimerHandle } from '../../../seams/clock.ts';
import { isForMe, pathBack, type RouterIdentity } from '../identity.ts';
import type { Inbox } from '../inbox.ts';
import type { Lifecycle } from '../lifecycle.ts';
import type { Forwarder } from '../relay.ts';
import type { RouteTable } from '../tables.ts';
import type { RouterCounters, RouterStats } from '../types.ts';
import type { SendAck } from './ack.ts';
import type { FrameHandler } from './frame-handler.ts';

const REQUEST_CHECK_MS = 5_000;

export interface FragmentHandlerDeps {
  readonly identity: RouterIdentity;
  readonly clock: Clock;
  readonly counters: RouterCounters;
  readonly lifecycle: Lifecycle;
  readonly routes: RouteTable;
  readonly inbox: Inbox;
  readonly forwarder: Forwarder;
  readonly sendAck: SendAck;
  readonly maxEnvelopeBytes: number;
}

export class FragmentHandler {
  private readonly reassembler: Reassembler<Uint8Array>;
  /** Messages whose first flooded fragment was already answered with a fragment request. */
  private readonly fastRequested = new DuplicateCache<true>({ maxEntries: 256, maxAgeMs: 10 * 60_000 });
  private requestTimer: TimerHandle | undefined;

  constructor(private readonly d: FragmentHandlerDeps) {
    const max = d.maxEnvelopeBytes;
    this.reassembler = new Reassembler<Uint8Array>({ ...DEFAULT_REASSEMBLY, maxEnvelopeBytes: max, maxBytesPerSource: 4 * max });
  }

  readonly handle: FrameHandler = (frame, seen, rx) => {
    const d = this.d;
    if (!isForMe(d.identity, frame)) return d.forwarder.relayOrForward(frame, seen, rx.snrDb);
    const f = decodeFragment(frame.payload);
    if (!f.ok) {
      d.counters.malformed++;
      return;
    }
    const back = pathBack(frame);
    const out = this.reassembler.accept(f.value, d.clock.now(), back);
    if (out.status === 'complete') {
      const sendAck = (): void => d.sendAck(out.messageId, back, frame.attempt);
      const key = out.messageId;
      if (d.inbox.wasDelivered(key)) return sendAck();
      void d.inbox.acceptThenAck(out.envelope, key, frame.hops, sendAck);
    } else if (out.status === 'partial' && !frame.routed && !this.fastRequested.has(f.value.messageId, d.clock.now())) {
      // A flooded fragment: the sender has no route. Ask at once for the rest
      // along the reversed path, so it learns the route and sends them routed.
      this.fastRequested.set(f.value.messageId, true, d.clock.now());
      const missing = (2 ** f.value.count - 1) & ~(1 << f.value.index);
      this.sendRequest(f.value.sourceHint, f.value.messageId, missing >>> 0, back);
    } else if (out.status === 'duplicate') {
      // The sender resent a fragment we hold: our ack may have been lost.
      if (d.inbox.wasDelivered(f.value.messageId)) d.sendAck(f.value.messageId, back, frame.attempt);
    }
    this.armRequests();
  };

  stats(): RouterStats['reassembly'] {
    const r = this.reassembler.stats();
    return { partials: r.partials, bytes: r.bytes, evicted: r.evicted, expired: r.expired };
  }

  private armRequests(): void {
    if (this.requestTimer || this.reassembler.stats().partials === 0) return;
    this.requestTimer = this.d.lifecycle.after(REQUEST_CHECK_MS, () => {
      this.requestTimer = undefined;
      for (const due of this.reassembler.requestsDue(this.d.clock.now())) this.sendRequest(due.sourceHint, due.messageId, due.missing, due.context);
      this.armRequests();
    });
  }

  private sendRequest(sourceHint: number, messageId: number, missing: number, path: Uint8Array): void {
    const payload = encodeFragmentRequest({ messageId, missing });
    this.d.forwarder.originate({
      kind: FrameKind.fragmentRequest, limit: path.length, routed: true, destHint: sourceHint, route: path, payload,
    }, 'ack');
  }
}
