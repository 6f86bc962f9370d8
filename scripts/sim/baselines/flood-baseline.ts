/**
 * The two baselines of `npm run sim`, on the same frame format, MAC,
 * duplicate cache and transmit queue as our router, so only the routing
 * policy differs:
 *
 * naive-flood: every node rebroadcasts every new frame once (after a
 *   random jitter of up to one frame time, with listen before talk), up to
 *   the hop limit. No acknowledgements, no retries.
 *
 * managed-flood: Meshtastic's managed flooding (firmware RadioInterface
 *   getTxDelayMsecWeighted and FloodingRouter): a relay waits
 *   2 * CWmax * slot + random(0, 2^CW) * slot, with CW mapped linearly from
 *   SNR -20..+10 dB onto 3..8 (weak, far receivers go first), and cancels
 *   when it hears any other node rebroadcast the frame; hop limit 7 (the
 *   most Meshtastic allows); the destination does not rebroadcast and
 *   answers a direct message with an ack flooded back; the sender
 *   transmits a direct message at most 3 times when no ack comes.
 */
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { ackProof, computeFrameId, defaultMeshKey, messageKey, verifyFrameId } from '../../../protocol/mesh/frame-auth.ts';
import { BROADCAST_HINT, FRAME_HEADER_BYTES, FrameKind, type MeshFrame } from '../../../protocol/mesh/frame-types.ts';
import { decodeFrame, encodeFrame, type FrameFields, relayFloodFrame } from '../../../protocol/mesh/frame.ts';
import { decodeAck, encodeAck } from '../../../protocol/mesh/control.ts';
import { DuplicateCache } from '../../../protocol/mesh/dedup.ts';
import { destHintOf, meshNodeId, relayHintOf } from '../../../protocol/mesh/node-id.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { Link, ReceivedFrame } from '../../../seams/link.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { DeliverMeta } from '../../../node-runtime/router/types.ts';
import type { TransmitQueue } from '../../../node-runtime/scheduler/transmit-queue.ts';
import { BaselineSender } from './baseline-sender.ts';
import { floodTiming } from './managed-timing.ts';

export type BaselineKind = 'naive-flood' | 'managed-flood';

export interface BaselineOptions {
  readonly kind: BaselineKind;
  readonly publicKey: Uint8Array;
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly link: Link;
  readonly queue: TransmitQueue;
  /** naive: hop limit of every flood (default 31). managed: 7. */
  readonly hopLimit?: number;
  /** LoRa symbol time, ms: sets Meshtastic's slot time. */
  readonly symbolTimeMs: number;
}

export interface BaselineRouter {
  readonly nodeId: Uint8Array;
  sendDirect(destNodeId: Uint8Array, envelope: Uint8Array): Promise<string>;
  broadcast(envelope: Uint8Array): void;
  onDeliver(handler: (envelope: Uint8Array, meta: DeliverMeta) => void): void;
  close(): Promise<void>;
}

interface Seen { relayId?: string; sent?: boolean }

export function createBaselineRouter(o: BaselineOptions): BaselineRouter {
  const managed = o.kind === 'managed-flood';
  const hopLimit = o.hopLimit ?? (managed ? 7 : 31);
  const meshKey = defaultMeshKey(o.suite);
  const nodeId = meshNodeId(o.suite, o.publicKey);
  const myDest = destHintOf(nodeId);
  const myRelay = relayHintOf(nodeId);
  const seen = new DuplicateCache<Seen>({ maxEntries: 16384, maxAgeMs: 30 * 60_000 });
  const delivered = new DuplicateCache<true>({ maxEntries: 8192, maxAgeMs: 60 * 60_000 });
  const handlers: ((e: Uint8Array, m: DeliverMeta) => void)[] = [];
  const timing = floodTiming(managed, o.symbolTimeMs, o.random);
  let closed = false;
  let seq = 0;

  function originate(given: FrameFields): void {
    const fields = { ...given, sourceHint: myDest };
    const id = computeFrameId(o.suite, meshKey, fields);
    seen.set(id, {}, o.clock.now());
    o.queue.enqueue({ id: `o${seq++}`, bytes: encodeFrame(fields, id), priority: 'direct' });
  }
  const sender = new BaselineSender({
    managed, suite: o.suite, meshKey, clock: o.clock, hopLimit, originate,
    ackTimeoutMs: (frameBytes) => timing.ackTimeoutMs(o.link.airtimeMs(frameBytes), hopLimit),
  });

  function relay(frame: MeshFrame, s: Seen, snrDb: number | undefined): void {
    if (frame.hops >= frame.limit) return;
    const id = `r${seq++}`;
    s.relayId = id;
    const airtimeMs = o.link.airtimeMs(frame.route.length + frame.payload.length + FRAME_HEADER_BYTES + 1);
    o.queue.enqueue({
      id, bytes: relayFloodFrame(frame, myRelay), priority: 'relay', notBeforeMs: o.clock.now() + timing.relayDelayMs(airtimeMs, snrDb),
      onSent: () => { s.sent = true; },
    });
  }

  function deliver(envelope: Uint8Array, broadcast: boolean, key: number, hops: number): void {
    for (const h of handlers) h(envelope, { broadcast, messageId: key, hops, receivedAtMs: o.clock.now() });
  }

  /** A direct message for this node: delivered once; managed flooding floods an ack back and does not relay it. */
  function receiveOwn(frame: MeshFrame, now: number): boolean {
    const key = messageKey(o.suite, meshKey, FrameKind.data, frame.destHint, frame.payload);
    if (!delivered.has(key, now)) {
      delivered.set(key, true, now);
      deliver(frame.payload, false, key, frame.hops);
    }
    if (!managed) return false;
    originate({
      kind: FrameKind.ack, limit: hopLimit, routed: false, destHint: myDest,
      payload: encodeAck({ ackedKey: key, proof: ackProof(o.suite, meshKey, nodeId, key) }),
    });
    return true;
  }

  function receive(rx: ReceivedFrame): void {
    if (closed) return;
    const d = decodeFrame(rx.bytes, o.link.mtu);
    if (!d.ok) return;
    const frame = d.value;
    const now = o.clock.now();
    const old = seen.get(frame.frameId, now);
    if (old) {
      // Meshtastic cancels a pending rebroadcast as soon as someone else rebroadcasts.
      if (managed && old.relayId && !old.sent) o.queue.cancel(old.relayId);
      return;
    }
    if (frame.routed || !verifyFrameId(o.suite, meshKey, frame)) return;
    const s: Seen = {};
    seen.set(frame.frameId, s, now);
    if (frame.kind === FrameKind.ack) {
      const a = decodeAck(frame.payload);
      if (!(a.ok && sender.settle(a.value))) relay(frame, s, rx.snrDb);
      return;
    }
    if (frame.kind !== FrameKind.data) return;
    if (frame.destHint === BROADCAST_HINT) deliver(frame.payload, true, frame.frameId, frame.hops);
    else if (frame.destHint === myDest && receiveOwn(frame, now)) return;
    relay(frame, s, rx.snrDb);
  }
  o.link.onFrame((rx) => receive(rx));

  return {
    nodeId,
    sendDirect: (destNodeId, envelope) => sender.sendDirect(destNodeId, envelope),
    broadcast(envelope) {
      originate({ kind: FrameKind.data, limit: hopLimit, routed: false, destHint: BROADCAST_HINT, payload: envelope });
    },
    onDeliver(h) {
      handlers.push(h);
    },
    async close() {
      closed = true;
      sender.close();
      o.queue.close();
    },
  };
}
