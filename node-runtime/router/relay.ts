/**
 * Forwarding (docs/ARCHITECTURE.md section "router"):
 *
 * Floods: a relay waits a contention window that grows with the SNR of the
 * copy it heard (a far, weak neighbour waits least: its rebroadcast covers
 * the most new ground, as Meshtastic's SNR-weighted window) and cancels when
 * it hears `suppress` other relays rebroadcast the same frame id first.
 *
 * Routed frames: the relay named at route[hops] forwards at once and then
 * listens for the next hop to carry the frame on (an implicit ack: the same
 * frame id with a higher hop counter, or the destination's ack); without
 * it, it sends again, at most `hopRetries` times. A relay that hears its
 * upstream send again knows its own copy was not heard and repeats it.
 *
 * The forwarder owns the two tables only forwarding uses: flood relays
 * waiting by message key, and hop waits that the destination's ack ends.
 */
import { AirtimeBudget } from './airtime-budget.ts';
import { computeFrameId } from '../../protocol/mesh/frame-auth.ts';
import { BROADCAST_HINT, FrameKind, type MeshFrame } from '../../protocol/mesh/frame-types.ts';
import { encodeFrame, type FrameFields, relayFloodFrame, relayRoutedFrame } from '../../protocol/mesh/frame.ts';
import type { Clock } from '../../seams/clock.ts';
import type { TransmitPriority } from '../scheduler/transmit-queue.ts';
import { frameMessageKey, isNamedRelay, type RouterIdentity } from './identity.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { HopWait, SeenFrame, SeenFrames } from './seen-frames.ts';
import type { Transmitter } from './transmitter.ts';
import type { RouterConfig, RouterCounters, RouterLogger } from './types.ts';

/** An end-to-end ack as sent on its first hop (16 bytes with no relays named) with room for a few hops of its route. */
const ACK_FRAME_BYTES = 24;
/** Each unanswered try at a neighbour destination waits this many times longer, up to a relay's full hop wait. */
const NEIGHBOUR_WAIT_GROWTH = 3;

function txId(frameId: number, hops: number): string {
  return `${frameId.toString(16)}:${hops}`;
}

export interface ForwarderDeps {
  readonly identity: RouterIdentity;
  readonly cfg: RouterConfig;
  readonly clock: Clock;
  readonly log: RouterLogger;
  readonly counters: RouterCounters;
  readonly lifecycle: Lifecycle;
  readonly tx: Transmitter;
  readonly seen: SeenFrames;
  readonly uniform: () => number;
}

export class Forwarder {
  /** Pending flood relays of direct data frames by message key: the destination's ack cancels them. */
  private readonly floodsByKey = new Map<number, SeenFrame>();
  /** Hop waits that the destination's ack (by acked key) also ends: the last relay's and a 1-hop source's. */
  private readonly ackWaits = new Map<number, HopWait>();

  /** Flood relay budgets (types.ts floodRelayShare): five minutes' share may go in a burst. */
  private readonly floodBudget: AirtimeBudget;
  /** Flooded direct messages (data and fragments for one node) have a share of their own: junk broadcasts cannot starve them. */
  private readonly directFloodBudget: AirtimeBudget;
  private readonly requestBudget: AirtimeBudget;

  constructor(private readonly d: ForwarderDeps) {
    const now = d.clock.now();
    this.floodBudget = new AirtimeBudget(d.cfg.floodRelayShare, 300_000 * d.cfg.floodRelayShare, now);
    this.directFloodBudget = new AirtimeBudget(d.cfg.floodRelayShare, 300_000 * d.cfg.floodRelayShare, now);
    this.requestBudget = new AirtimeBudget(d.cfg.requestRelayShare, 300_000 * d.cfg.requestRelayShare, now);
  }

  /** Contention delay for a flood relay, ms. */
  private contentionDelayMs(frameBytes: number, snrDb: number | undefined): number {
    const c = this.d.cfg;
    const snr = snrDb ?? c.snrCeilDb;
    const q = Math.min(1, Math.max(0, (snr - c.snrFloorDb) / (c.snrCeilDb - c.snrFloorDb)));
    const windowAirtimes = c.contentionMinAirtimes + (c.contentionMaxAirtimes - c.contentionMinAirtimes) * q;
    // A busy channel widens the window: relays spread out, hear each other, and more of them cancel.
    const busy = 1 + 4 * this.d.tx.channelUse();
    return this.d.uniform() * windowAirtimes * busy * this.d.tx.airtimeMs(frameBytes);
  }

  scheduleFloodRelay(frame: MeshFrame, seen: SeenFrame, snrDb: number | undefined, suppressAt: number, ackKey?: number): void {
    if (frame.routed || frame.hops >= frame.limit) return;
    if (ackKey !== undefined) {
      // The destination's ack, heard here, means this flood has done its job.
      this.floodsByKey.set(ackKey, seen);
      if (this.floodsByKey.size > 1024) this.floodsByKey.delete(this.floodsByKey.keys().next().value as number);
    }
    const bytes = relayFloodFrame(frame, this.d.identity.relayHint);
    // Announces have their own budget (announcer.ts); everything else flooded spends one of these.
    const budget = frame.kind === FrameKind.routeRequest ? this.requestBudget
      : frame.kind === FrameKind.announce ? undefined
      : frame.destHint === BROADCAST_HINT ? this.floodBudget : this.directFloodBudget;
    if (budget && !budget.spend(this.d.tx.airtimeMs(bytes.length), this.d.clock.now())) {
      this.d.counters.floodRelaysThrottled++;
      return;
    }
    const id = txId(frame.frameId, frame.hops + 1);
    const delay = this.contentionDelayMs(bytes.length, snrDb);
    seen.relayTxId = id;
    seen.suppressAt = suppressAt;
    this.d.tx.transmit(id, bytes, 'relay', this.d.clock.now() + delay, () => {
      seen.relaySent = true;
      this.d.counters.relayed++;
      if (ackKey !== undefined) this.floodsByKey.delete(ackKey);
    });
  }

  /**
   * A frame not for this node. Floods wait their contention window at relay
   * priority; a routed frame goes at direct priority, before queued flood
   * relays: it is one message on a known path, and its upstream is timing this hop.
   */
  relayOrForward(frame: MeshFrame, seen: SeenFrame, snrDb: number | undefined): void {
    const id = this.d.identity;
    if (!frame.routed) {
      if (frame.destHint === id.destHint) return;
      const key = frameMessageKey(id, frame);
      // A repeat (attempt > 0) was lost once: cancel only after one more copy heard (route-request.ts).
      this.scheduleFloodRelay(frame, seen, snrDb, this.d.cfg.floodSuppressDirect + (frame.attempt > 0 ? 1 : 0), key);
      return;
    }
    if (!isNamedRelay(id, frame)) return;
    // Every relay of a data frame also takes the destination's ack, which
    // comes back through it, as proof the frame got through (the last relay
    // has no other): compute the key that ack will carry.
    const ackKey = frameMessageKey(id, frame);
    this.forwardRouted(frame, seen, 'direct', ackKey);
  }

  /** The destination acknowledged `ackedKey` (an ack or a copy heard): the hop it ends, the flood it makes pointless. */
  settleByAck(ackedKey: number): void {
    const w = this.ackWaits.get(ackedKey);
    if (w) this.finishHopWait(w);
    const seen = this.floodsByKey.get(ackedKey);
    if (!seen) return;
    this.floodsByKey.delete(ackedKey);
    if (seen.relayTxId && !seen.relaySent && this.d.tx.cancel(seen.relayTxId)) this.d.counters.relaysSuppressed++;
    seen.relayTxId = undefined;
  }

  /** A copy of a frame already seen: suppression, hop progress, upstream repeats, lost acks. */
  onDuplicate(frame: MeshFrame, seen: SeenFrame): void {
    const { cfg, counters, tx } = this.d;
    seen.copiesHeard++;
    if (seen.relayTxId && !seen.relaySent && seen.suppressAt !== undefined && seen.copiesHeard >= seen.suppressAt) {
      if (tx.cancel(seen.relayTxId)) counters.relaysSuppressed++;
      seen.relayTxId = undefined;
    }
    const w = seen.hopWait;
    if (w && !w.done && frame.routed) {
      if (frame.hops > w.sentHops) this.finishHopWait(w);
      else if (frame.hops === w.sentHops - 1 && w.retries < cfg.hopRetries) {
        // Our upstream sent again: it did not hear our copy. Repeat it now.
        // (Once our own downstream has carried the frame on we stay quiet: a
        // repeat then makes every later hop repeat too; measured, it cost
        // more than the upstream's remaining retries.)
        w.retries++;
        counters.hopRepeats++;
        tx.transmit(`${txId(frame.frameId, w.sentHops)}:r${w.retries}`, w.bytes, w.priority);
      }
    }
    if (seen.reAck && frame.routed && frame.hops === frame.limit && (seen.reAcks ?? 0) < cfg.hopRetries) {
      seen.reAcks = (seen.reAcks ?? 0) + 1;
      seen.reAck();
    }
  }

  private finishHopWait(w: HopWait): void {
    if (w.done) return;
    w.done = true;
    w.timer?.cancel();
    const done = w.onDone;
    w.onDone = undefined;
    done?.();
    if (w.ackKey !== undefined && this.ackWaits.get(w.ackKey) === w) this.ackWaits.delete(w.ackKey);
  }

  /**
   * Sends a frame this node originates. The frame id is remembered first, so
   * neighbours' rebroadcasts of it count as duplicates, never as new frames.
   */
  originate(given: FrameFields, priority: TransmitPriority, ackKey?: number, onDone?: () => void): number {
    const id = this.d.identity;
    const fields: FrameFields = given.routed ? given : { ...given, sourceHint: given.sourceHint ?? id.destHint };
    const frameId = computeFrameId(id.suite, id.meshKey, fields);
    const bytes = encodeFrame(fields, frameId);
    const seen: SeenFrame = { firstHops: 0, copiesHeard: 0 };
    this.d.seen.set(frameId, seen, this.d.clock.now());
    if (!fields.routed) {
      this.d.counters.floods++;
      this.d.tx.transmit(txId(frameId, 0), bytes, priority, undefined, onDone);
      return frameId;
    }
    const expectProgress = fields.limit > 0 || ackKey !== undefined;
    this.sendRouted(frameId, bytes, 0, priority, seen, expectProgress, ackKey, onDone);
    return frameId;
  }

  /** Forwards a routed frame this node is named in (route[hops]). */
  forwardRouted(frame: MeshFrame, seen: SeenFrame, priority: TransmitPriority, ackKey?: number): void {
    const bytes = relayRoutedFrame(frame);
    const sentHops = frame.hops + 1;
    // Past the last relay only a data frame (answered by an ack) can show progress.
    const expectProgress = sentHops < frame.limit || ackKey !== undefined;
    this.d.counters.routedForwards++;
    this.sendRouted(frame.frameId, bytes, sentHops, priority, seen, expectProgress, ackKey);
  }

  /**
   * Sends a routed frame (as its source or as a relay) and watches for the
   * next hop to carry it. `expectProgress` false: fire once (the last hop of
   * a kind the destination does not acknowledge).
   */
  private sendRouted(
    frameId: number, bytes: Uint8Array, sentHops: number, priority: TransmitPriority, seen: SeenFrame,
    expectProgress: boolean, ackKey?: number, onDone?: () => void,
  ): void {
    const w: HopWait = {
      sentHops, bytes, priority, retries: 0, done: !expectProgress, ...(ackKey !== undefined && { ackKey }), ...(onDone && { onDone }),
    };
    seen.hopWait = w;
    if (ackKey !== undefined && expectProgress) this.ackWaits.set(ackKey, w);
    const id = txId(frameId, sentHops);
    const arm = this.hopRetryLoop(w, id);
    this.d.tx.transmit(id, bytes, priority, undefined, expectProgress ? arm : () => {
      this.blindRepeat(id, bytes, priority);
      onDone?.();
    });
  }

  /** The timer loop of one hop wait: retry, put off, or give up (returns the function that arms it). */
  private hopRetryLoop(w: HopWait, id: string): () => void {
    const { cfg, counters, tx, lifecycle } = this.d;
    let deferrals = 0;
    const arm = (): void => {
      if (w.done) return;
      // Next hop's copy (or the destination's ack) is one frame time plus its listen-before-talk away.
      w.timer = lifecycle.after(this.sentToNeighbourDestination(w) ? this.neighbourWaitMs(w.bytes.length, w.retries) : this.hopWaitMs(w.bytes.length), () => {
        if (w.done) return;
        if (w.retries >= cfg.hopRetries) {
          this.finishHopWait(w);
          return;
        }
        // A burst crossing the neighbourhood right now (frames heard from
        // others in the last seconds fill a quarter of the time: a flood, or
        // routed traffic through a bottleneck) most likely drowned the next
        // hop's copy or ours: a repeat into it would be drowned too and add to
        // the busiest minute. Wait for it to pass, a bounded number of times,
        // without spending a retry. Own frames do not count, so a node sending
        // a long fragmented message does not hold its own hop retries back.
        // Measured (1000 nodes): docs/BENCHMARKS.md section router.
        if (deferrals < cfg.hopRetryDeferrals && tx.recentHeardUse() > cfg.politeChannelUse) {
          deferrals++;
          counters.hopRetriesDeferred++;
          arm();
          return;
        }
        w.retries++;
        counters.hopRetransmits++;
        const b = w.bytes;
        this.d.log.debug('hop retry', {
          id, retries: w.retries, sentHops: w.sentHops, bytes: b.length, kind: (b[0] as number) >> 5, limit: (b[0] as number) & 31, next: b[8 + w.sentHops],
        });
        tx.transmit(`${id}:r${w.retries}`, b, w.priority, undefined, arm);
      });
    };
    return arm;
  }

  /**
   * Nothing follows the last hop of an ack or fragment request to show it
   * arrived, and the frame's final receiver is usually still amid the flood
   * it started: repeat it once, a random moment later.
   */
  private blindRepeat(id: string, bytes: Uint8Array, priority: TransmitPriority): void {
    if (priority !== 'ack') return;
    const delayMs = (1 + this.d.uniform() * 2) * this.d.tx.airtimeMs(bytes.length);
    this.d.lifecycle.after(delayMs, () => this.d.tx.transmit(`${id}:b`, bytes, priority));
  }

  /**
   * How long a hop listens for the next hop to carry its frame on before
   * sending again: the next hop's own frame time, its listen-before-talk
   * backoff and whatever it had queued first. Measured in the simulator
   * (100 nodes, 10 % loss, seed 1): 2.5 frame times cost 40 % more
   * transmissions in early repeats than 5, and 5 cost 35 % more than 8;
   * 12 gains nothing more and slows recovery.
   */
  hopWaitMs(frameBytes: number): number {
    // On a busy channel the next hop waits longer to talk: so do we, rather
    // than add a repeat to the congestion.
    const busy = 1 + 4 * this.d.tx.channelUse();
    return (8 * this.d.tx.airtimeMs(frameBytes) + 2 * this.d.tx.airtimeMs(40) + 200) * busy;
  }

  /**
   * How long a source that sent a data frame straight to its destination (a
   * neighbour, no relay named) listens for the end-to-end ack before sending
   * again. The destination was receiving our frame, so it was not sending; its
   * ack goes ahead of relays in its queue: two ack times and its
   * listen-before-talk, not a relay's eight frame times. Where everyone hears
   * everyone this was the whole tail (a lost first copy waited 10-25 s:
   * docs/BENCHMARKS.md, "The field's tail"). Each further try waits three times
   * longer, up to the full hop wait, so a destination that is slow to answer
   * (busy, or a one-sided link) is not repeated into.
   */
  neighbourWaitMs(frameBytes: number, retries: number): number {
    const busy = 1 + 4 * this.d.tx.channelUse();
    const first = (2 * this.d.tx.airtimeMs(ACK_FRAME_BYTES) + 200) * busy;
    return Math.min(this.hopWaitMs(frameBytes), first * NEIGHBOUR_WAIT_GROWTH ** retries);
  }

  /** Whether this hop wait is a source's data frame sent straight to its destination (it acks end to end). */
  private sentToNeighbourDestination(w: HopWait): boolean {
    return w.ackKey !== undefined && w.sentHops === 0 && ((w.bytes[0] as number) & 31) === 0;
  }
}
