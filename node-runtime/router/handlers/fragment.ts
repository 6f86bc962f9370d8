/**
 * Fragments (docs/PROTOCOL.md, fragmentation): reassembly of messages for
 * this node, with fragment requests for what is missing, and relaying of the
 * rest. Owns the reassembler and the timer that asks for missing fragments.
 */
import { encodeFragmentRequest } from '../../../protocol/mesh/control.ts';
import { decodeFragment } from '../../../protocol/mesh/fragment.ts';
import { FrameKind } from '../../../protocol/mesh/frame-types.ts';
import { DuplicateCache } from '../../../protocol/mesh/dedup.ts';
import { ORIGIN_KEYED_BYTES } from '../../../protocol/mesh/origin.ts';
import { DEFAULT_REASSEMBLY, Reassembler } from '../../../protocol/mesh/reassembly.ts';
import type { Clock, TimerHandle } from '../../../seams/clock.ts';
import { isForMe, pathBack, type RouterIdentity } from '../identity.ts';
import type { Inbox } from '../inbox.ts';
import type { Lifecycle } from '../lifecycle.ts';
import type { Peer, PeerKeys } from '../peer-keys.ts';
import { openOrigin } from '../sources.ts';
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
  readonly peers: PeerKeys;
}

export class FragmentHandler {
  private readonly reassembler: Reassembler<Uint8Array>;
  /** Messages whose first flooded fragment was already answered with a fragment request. */
  private readonly fastRequested = new DuplicateCache<true>({ maxEntries: 256, maxAgeMs: 10 * 60_000 });
  private requestTimer: TimerHandle | undefined;
  /** Authenticated senders of messages delivered here: a repeated ack must carry the same pairwise proof. */
  private readonly sources = new DuplicateCache<Peer>({ maxEntries: 1024, maxAgeMs: 60 * 60_000 });

  constructor(private readonly d: FragmentHandlerDeps) {
    // A sourced body is the envelope and its origin block (origin.ts).
    const max = d.maxEnvelopeBytes + ORIGIN_KEYED_BYTES;
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
      this.complete(out.envelope, out.messageId, f.value.sourced === true, frame.hops, back, frame.attempt);
    } else if (out.status === 'partial' && !frame.routed && !this.fastRequested.has(f.value.messageId, d.clock.now())) {
      // A flooded fragment: the sender has no route. Ask at once for the rest
      // along the reversed path, so it learns the route and sends them routed.
      this.fastRequested.set(f.value.messageId, true, d.clock.now());
      const missing = (2 ** f.value.count - 1) & ~(1 << f.value.index);
      this.sendRequest(f.value.sourceHint, f.value.messageId, missing >>> 0, back);
    } else if (out.status === 'duplicate') {
      // The sender resent a fragment we hold: our ack may have been lost.
      const id = f.value.messageId;
      if (d.inbox.wasDelivered(id)) d.sendAck(id, back, frame.attempt, this.sources.get(id, d.clock.now()));
    }
    this.armRequests();
  };

  /** A reassembled body: its origin opened when the fragments say it has one (fragment.ts `sourced`), then stored and acked. */
  private complete(body: Uint8Array, key: number, sourced: boolean, hops: number, back: Uint8Array, attempt: number): void {
    const d = this.d;
    let envelope = body;
    let source: Peer | undefined;
    if (sourced) {
      const opened = openOrigin(d.identity, d.peers, body);
      if (!opened) {
        d.counters.malformed++;
        return;
      }
      envelope = opened.envelope;
      source = opened.source;
      if (source) {
        d.counters.sourcesAuthenticated++;
        this.sources.set(key, source, d.clock.now());
      } else if (opened.forged) {
        d.counters.forgedSources++;
      }
    }
    const sendAck = (): void => d.sendAck(key, back, attempt, source);
    if (d.inbox.wasDelivered(key)) return sendAck();
    void d.inbox.acceptThenAck(envelope, key, hops, sendAck, source);
  }

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
