/**
 * router.frames: frames per second through the router's receive path on one
 * core: decode, duplicate check, MAC verification (new frames only), and the
 * routing decision (flood relay scheduled, or suppressed). The mix is what
 * a relay in a busy mesh hears: each new flood frame arrives three times
 * (the first copy and two neighbours' rebroadcasts). Transmit queues are
 * stubbed: the figure is CPU cost, not airtime.
 *
 * router.sourced: direct messages for the router itself, each with an origin
 * block in the short form from a sender whose key it holds (issue 9:
 * authenticated sources), against the same messages without one, measured
 * in the same run: decode, MAC, origin MAC, delivery and the ack (pairwise
 * proof against network-key proof).
 */
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import type { Link, ReceivedFrame } from '../../seams/link.ts';
import type { Clock } from '../../seams/clock.ts';
import { createRouter } from '../../node-runtime/router/router.ts';
import type { TransmitQueue } from '../../node-runtime/scheduler/transmit-queue.ts';
import { computeFrameId, defaultMeshKey } from '../../protocol/mesh/frame-auth.ts';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';
import { encodeFrame, type FrameFields } from '../../protocol/mesh/frame.ts';
import { destHintOf, meshNodeId } from '../../protocol/mesh/node-id.ts';
import { encodeOriginBody, originMac, pairKey } from '../../protocol/mesh/origin.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import type { Benchmark } from './harness.ts';

const bench: Benchmark = (ctx) => {
  const suite = createNodeSuite();
  const random = new SeededRandom('router-bench');
  let nowMs = 0;
  const clock: Clock = { now: () => nowMs, setTimer: () => ({ cancel: () => undefined }) };
  let deliver: ((f: ReceivedFrame) => void) | undefined;
  const link: Link = {
    id: 'bench', kind: 'sim-radio', mtu: 255, airtimeMs: (n) => n * 4,
    send: async () => undefined, onFrame: (h) => { deliver = h; }, stats: () => ({ framesSent: 0, framesReceived: 0, framesDropped: 0, bytesSent: 0, bytesReceived: 0 }),
    close: async () => undefined,
  };
  let queued = 0;
  const queue: TransmitQueue = { enqueue: () => { queued++; return true; }, cancel: () => true, depth: () => 0, close: () => undefined };
  const seed = random.bytes(32);
  const router = createRouter({
    nodeKeys: { seed, publicKey: suite.ed25519PublicKey(seed) }, suite, clock, random, links: [link], queues: [queue],
    config: { announceIntervalMs: 0 },
  });
  const key = defaultMeshKey(suite);
  const count = ctx.quick ? 2_000 : 20_000;
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const fields: FrameFields = {
      kind: FrameKind.data, limit: 12, hops: 2, routed: false, destHint: 0x1000 + (i % 4000), sourceHint: 0x2000 + (i % 50),
      route: new Uint8Array([i & 0xff, (i >> 8) & 0xff]), payload: random.bytes(40),
    };
    frames.push(encodeFrame(fields, computeFrameId(suite, key, { ...fields, hops: 0, route: new Uint8Array(0) })));
  }
  let at = 0;
  let copy = 0;
  const receive = deliver as (f: ReceivedFrame) => void;
  const ops = (fn: () => void): number => {
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < (ctx.quick ? 300 : 2000)) {
      for (let k = 0; k < 100; k++) fn();
      n += 100;
    }
    return (n * 1000) / (performance.now() - start);
  };
  const rate = ops(() => {
    // Each frame three times: new, then two rebroadcast copies.
    receive({ bytes: frames[at] as Uint8Array, snrDb: -5, rssiDbm: -110 });
    if (++copy === 3) {
      copy = 0;
      at = (at + 1) % frames.length;
      nowMs += 50; // frames spread in time; the duplicate cache ages out only after 30 min
    }
  });
  ctx.report({ name: 'router.frames', value: rate, unit: 'frames/s' });
  if (queued === 0) throw new Error('the router scheduled no relay: the benchmark measured nothing');

  // Direct messages for this router: plain, then sourced (short form) from a known sender.
  const routerId = meshNodeId(suite, suite.ed25519PublicKey(seed));
  const senderSeed = random.bytes(32);
  const senderPub = suite.ed25519PublicKey(senderSeed);
  const senderId = meshNodeId(suite, senderPub);
  const pk = pairKey(suite, senderSeed, senderId, suite.ed25519PublicKey(seed), routerId) as Uint8Array;
  const direct = (kind: FrameKind, payload: Uint8Array): Uint8Array => {
    const f: FrameFields = { kind, limit: 0, routed: true, destHint: destHintOf(routerId), payload };
    return encodeFrame(f, computeFrameId(suite, key, f));
  };
  const envelopes = Array.from({ length: count }, () => random.bytes(40));
  // The first sourced message carries the sender's key (keyed form): the router remembers it.
  const keyed = envelopes[0] as Uint8Array;
  receive({ bytes: direct(FrameKind.sourcedData, encodeOriginBody({ form: 'keyed', publicKey: senderPub, mac: originMac(suite, pk, senderId, routerId, keyed) }, keyed)) });
  const plain = envelopes.map((e) => direct(FrameKind.data, e));
  const sourced = envelopes.map((e) => direct(FrameKind.sourcedData, encodeOriginBody({ form: 'short', sourceHint: destHintOf(senderId), mac: originMac(suite, pk, senderId, routerId, e) }, e)));
  const through = (list: readonly Uint8Array[]): number => {
    let i = 1;
    return ops(() => {
      receive({ bytes: list[i] as Uint8Array });
      i = (i + 1) % list.length;
      nowMs += 90_000; // past the hour of delivered keys now and then: each message is new to the inbox
    });
  };
  // Alternating rounds, best of each: a shared machine's load changes within a run.
  let plainRate = 0;
  let sourcedRate = 0;
  for (let round = 0; round < 3; round++) {
    plainRate = Math.max(plainRate, through(plain));
    sourcedRate = Math.max(sourcedRate, through(sourced));
  }
  if (router.stats().counters.sourcesAuthenticated < 2) throw new Error('no sourced message authenticated: the benchmark measured nothing');
  ctx.report({
    name: 'router.sourced', value: sourcedRate, unit: 'messages/s', baseline: plainRate, ratio: sourcedRate / plainRate,
    baselineName: 'the same messages without an origin block',
  });
};

export default bench;
