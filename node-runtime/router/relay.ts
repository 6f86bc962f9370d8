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
 */
import { type MeshFrame } from '../../protocol/mesh/frame-types.ts';
import { encodeFrame, type FrameFields, relayFloodFrame, relayRoutedFrame } from '../../protocol/mesh/frame.ts';
import { computeFrameId } from '../../protocol/mesh/frame-auth.ts';
import type { HopWait, RouterCore, SeenFrame } from './core.ts';
import type { TxPriority } from './types.ts';

function txId(frameId: number, hops: number): string {
  return `${frameId.toString(16)}:${hops}`;
}

/** Contention delay for a flood relay, ms. */
export function contentionDelayMs(core: RouterCore, frameBytes: number, snrDb: number | undefined): number {
  const c = core.cfg;
  const snr = snrDb ?? c.snrCeilDb;
  const q = Math.min(1, Math.max(0, (snr - c.snrFloorDb) / (c.snrCeilDb - c.snrFloorDb)));
  const windowAirtimes = c.contentionMinAirtimes + (c.contentionMaxAirtimes - c.contentionMinAirtimes) * q;
  // A busy channel widens the window: relays spread out, hear each other, and more of them cancel.
  const busy = 1 + 4 * core.channelUse();
  return core.uniform() * windowAirtimes * busy * core.airtimeMs(frameBytes);
}

export function scheduleFloodRelay(
  core: RouterCore, frame: MeshFrame, seen: SeenFrame, snrDb: number | undefined, suppressAt: number, ackKey?: number,
): void {
  if (frame.routed || frame.hops >= frame.limit) return;
  if (ackKey !== undefined) {
    // The destination's ack, heard here, means this flood has done its job.
    core.floodsByKey.set(ackKey, seen);
    if (core.floodsByKey.size > 1024) core.floodsByKey.delete(core.floodsByKey.keys().next().value as number);
  }
  const bytes = relayFloodFrame(frame, core.relayHint);
  const id = txId(frame.frameId, frame.hops + 1);
  const delay = contentionDelayMs(core, bytes.length, snrDb);
  seen.relayTxId = id;
  seen.suppressAt = suppressAt;
  core.transmit(id, bytes, 'relay', core.clock.now() + delay, () => {
    seen.relaySent = true;
    core.counters.relayed++;
    if (ackKey !== undefined) core.floodsByKey.delete(ackKey);
  });
}

/** The destination acknowledged: a flood relay of that message still waiting is pointless. */
export function cancelAnsweredFlood(core: RouterCore, ackKey: number): void {
  const seen = core.floodsByKey.get(ackKey);
  if (!seen) return;
  core.floodsByKey.delete(ackKey);
  if (seen.relayTxId && !seen.relaySent && core.cancel(seen.relayTxId)) core.counters.relaysSuppressed++;
  seen.relayTxId = undefined;
}

/** A copy of a frame already seen: suppression, hop progress, upstream repeats, lost acks. */
export function onDuplicate(core: RouterCore, frame: MeshFrame, seen: SeenFrame): void {
  seen.copiesHeard++;
  if (seen.relayTxId && !seen.relaySent && seen.suppressAt !== undefined && seen.copiesHeard >= seen.suppressAt) {
    if (core.cancel(seen.relayTxId)) core.counters.relaysSuppressed++;
    seen.relayTxId = undefined;
  }
  const w = seen.hopWait;
  if (w && !w.done && frame.routed) {
    if (frame.hops > w.sentHops) finishHopWait(core, w);
    else if (frame.hops === w.sentHops - 1 && w.retries < core.cfg.hopRetries) {
      // Our upstream sent again: it did not hear our copy. Repeat it now.
      // (Once our own downstream has carried the frame on we stay quiet: a
      // repeat then makes every later hop repeat too; measured, it cost
      // more than the upstream's remaining retries.)
      w.retries++;
      core.counters.hopRepeats++;
      core.transmit(`${txId(frame.frameId, w.sentHops)}:r${w.retries}`, w.bytes, w.priority);
    }
  }
  if (seen.reAck && frame.routed && frame.hops === frame.limit && (seen.reAcks ?? 0) < core.cfg.hopRetries) {
    seen.reAcks = (seen.reAcks ?? 0) + 1;
    seen.reAck();
  }
}

export function finishHopWait(core: RouterCore, w: HopWait): void {
  if (w.done) return;
  w.done = true;
  w.timer?.cancel();
  const done = w.onDone;
  w.onDone = undefined;
  done?.();
  if (w.ackKey !== undefined && core.ackWaits.get(w.ackKey) === w) core.ackWaits.delete(w.ackKey);
}

/**
 * Sends a frame this node originates. The frame id is remembered first, so
 * neighbours' rebroadcasts of it count as duplicates, never as new frames.
 */
export function originate(
  core: RouterCore, given: FrameFields, priority: TxPriority, ackKey?: number, onDone?: () => void,
): number {
  const fields: FrameFields = given.routed ? given : { ...given, sourceHint: given.sourceHint ?? core.destHint };
  const frameId = computeFrameId(core.suite, core.meshKey, fields);
  const bytes = encodeFrame(fields, frameId);
  const seen: SeenFrame = { firstHops: 0, copiesHeard: 0 };
  core.seen.set(frameId, seen, core.clock.now());
  if (!fields.routed) {
    core.counters.floods++;
    core.transmit(txId(frameId, 0), bytes, priority, undefined, onDone);
    return frameId;
  }
  const expectProgress = fields.limit > 0 || ackKey !== undefined;
  sendRouted(core, frameId, bytes, 0, priority, seen, expectProgress, ackKey, onDone);
  return frameId;
}

/**
 * Sends a routed frame (as its source or as a relay) and watches for the
 * next hop to carry it. `expectProgress` false: fire once (the last hop of
 * a kind the destination does not acknowledge).
 */
export function sendRouted(
  core: RouterCore, frameId: number, bytes: Uint8Array, sentHops: number, priority: TxPriority, seen: SeenFrame,
  expectProgress: boolean, ackKey?: number, onDone?: () => void,
): void {
  const w: HopWait = {
    sentHops, bytes, priority, retries: 0, done: !expectProgress, ...(ackKey !== undefined && { ackKey }), ...(onDone && { onDone }),
  };
  seen.hopWait = w;
  if (ackKey !== undefined && expectProgress) core.ackWaits.set(ackKey, w);
  const id = txId(frameId, sentHops);
  let deferrals = 0;
  const arm = (): void => {
    if (w.done) return;
    // Next hop's copy (or the destination's ack) is one frame time plus its listen-before-talk away.
    w.timer = core.after(hopWaitMs(core, bytes.length), () => {
      if (w.done) return;
      if (w.retries >= core.cfg.hopRetries) {
        finishHopWait(core, w);
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
      if (deferrals < core.cfg.hopRetryDeferrals && core.recentHeardUse() > core.cfg.politeChannelUse) {
        deferrals++;
        core.counters.hopRetriesDeferred++;
        arm();
        return;
      }
      w.retries++;
      core.counters.hopRetransmits++;
      core.log.debug('hop retry', { id, retries: w.retries, sentHops, bytes: bytes.length, kind: (bytes[0] as number) >> 5, limit: (bytes[0] as number) & 31, next: bytes[8 + sentHops] });
      core.transmit(`${id}:r${w.retries}`, bytes, priority, undefined, arm);
    });
  };
  core.transmit(id, bytes, priority, undefined, expectProgress ? arm : () => {
    blindRepeat();
    onDone?.();
  });
  // Nothing follows the last hop of an ack or fragment request to show it
  // arrived, and the frame's final receiver is usually still amid the flood
  // it started: repeat it once, a random moment later.
  function blindRepeat(): void {
    if (priority !== 'ack') return;
    const delayMs = (1 + core.uniform() * 2) * core.airtimeMs(bytes.length);
    core.after(delayMs, () => core.transmit(`${id}:b`, bytes, priority));
  }
}

/**
 * How long a hop listens for the next hop to carry its frame on before
 * sending again: the next hop's own frame time, its listen-before-talk
 * backoff and whatever it had queued first. Measured in the simulator
 * (100 nodes, 10 % loss, seed 1): 2.5 frame times cost 40 % more
 * transmissions in early repeats than 5, and 5 cost 35 % more than 8;
 * 12 gains nothing more and slows recovery.
 */
export function hopWaitMs(core: RouterCore, frameBytes: number): number {
  // On a busy channel the next hop waits longer to talk: so do we, rather
  // than add a repeat to the congestion.
  const busy = 1 + 4 * core.channelUse();
  return (8 * core.airtimeMs(frameBytes) + 2 * core.airtimeMs(40) + 200) * busy;
}

/** Forwards a routed frame this node is named in (route[hops]). */
export function forwardRouted(core: RouterCore, frame: MeshFrame, seen: SeenFrame, priority: TxPriority, ackKey?: number): void {
  const bytes = relayRoutedFrame(frame);
  const sentHops = frame.hops + 1;
  // Past the last relay only a data frame (answered by an ack) can show progress.
  const expectProgress = sentHops < frame.limit || ackKey !== undefined;
  core.counters.routedForwards++;
  sendRouted(core, frame.frameId, bytes, sentHops, priority, seen, expectProgress, ackKey);
}
