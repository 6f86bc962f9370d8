/**
 * Matriochka onions (docs/PROTOCOL.md "Matriochka message packing"): bytes
 * per packet and per hop against a direct sealed deposit, building and
 * peeling per second against one direct seal / open, and the latency of a
 * 3-hop onion with and without delays on a simulated clock (in-process relays).
 */
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { generateDualKeyPair } from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { buildOnion } from '../../protocol/onion/build.ts';
import { onionRelaysOf } from '../../protocol/onion/catalog.ts';
import { ONION_CLASSES, ONION_ENTRY_BYTES, ONION_FIXED_BYTES, onionPacketBytes } from '../../protocol/onion/constants.ts';
import { drawDelayCode } from '../../protocol/onion/delay.ts';
import { decodeOnionPacket } from '../../protocol/onion/packet.ts';
import { peelHop, verifyHop } from '../../protocol/onion/peel.ts';
import { encodeFinalPayload } from '../../protocol/onion/payload.ts';
import { decodeRequestFrame } from '../../protocol/server/frame.ts';
import { encodeRequest } from '../../protocol/server/request-encode.ts';
import { openRequest, sealRequest, serverIdOf } from '../../protocol/server/seal.ts';
import { createInProcessChain } from '../../gateway/server/onion/in-process-chain.ts';
import { type Benchmark, opsPerSecond } from './harness.ts';

const bench: Benchmark = async ({ report, quick }) => {
  const durationMs = quick ? 200 : 1000;
  const suite = createNodeSuite();
  const random = new SeededRandom('onion-bench');
  // A 5-byte text as a direct envelope (32 bytes) deposited with a sender pass.
  const deposit = encodeRequest({ kind: 'deposit', tag: new Uint8Array(16).fill(1), envelope: new Uint8Array(32).fill(2), pass: new Uint8Array(16).fill(3) });
  const server = generateDualKeyPair(suite, random, 'server');
  const direct = sealRequest(suite, random, server.publicKey, deposit).frame;
  report({ name: 'onion.bytes.fixed', value: ONION_FIXED_BYTES, unit: 'bytes' });
  report({ name: 'onion.bytes.per-hop', value: ONION_ENTRY_BYTES, unit: 'bytes' });
  for (const c of Object.values(ONION_CLASSES)) {
    report({ name: `onion.bytes.${c.name}`, value: onionPacketBytes(c), unit: 'bytes', baseline: direct.length, baselineName: 'direct sealed deposit of a 5-byte text', ratio: onionPacketBytes(c) / direct.length });
  }
  const chain = createInProcessChain(suite, random, new SimClock({ startMs: 1_800_000_000_000 }), 3);
  const infos = onionRelaysOf(suite, chain.relays.map((r) => r.descriptor().bytes), 1_800_000_000);
  const c = ONION_CLASSES.short;
  const payload = encodeFinalPayload(c, deposit);
  const hops = infos.map((r) => ({ serverId: r.serverId, onionKey: r.onionKey, delayCode: 0 }));
  const seal = opsPerSecond(() => void sealRequest(suite, random, server.publicKey, deposit), durationMs);
  const build = opsPerSecond(() => void buildOnion(suite, random, c, hops, payload), durationMs);
  report({ name: 'onion.build.3hops', value: build, unit: 'onions/s', baseline: seal, baselineName: 'one direct seal', ratio: build / seal });
  const serverId = serverIdOf(suite, server.publicKey);
  const frame = decodeRequestFrame(direct);
  if (!frame.ok || frame.value.type !== 'sealed') throw new Error('direct frame');
  const sealed = frame.value;
  // A fresh copy of the ephemeral key each time, as packets arrive from outside (no key object cache hits).
  const open = opsPerSecond(() => void openRequest(suite, server, serverId, { ...sealed, ephemeralPublic: sealed.ephemeralPublic.slice() }), durationMs);
  const packet = buildOnion(suite, random, c, hops, payload);
  const secret = chain.relays[0]!.keys.candidates(1_800_000_000_000)[0]!.secret;
  const peel = opsPerSecond(() => {
    const d = decodeOnionPacket(packet);
    if (!d.ok) throw new Error('decode');
    const v = verifyHop(suite, secret, d.value);
    if (!v.ok) throw new Error('mac');
    peelHop(suite, v.value);
  }, durationMs);
  report({ name: 'onion.peel.short', value: peel, unit: 'packets/s', baseline: open, baselineName: 'one direct open', ratio: peel / open });
  await latency(report, quick);
};

/** Simulated latency of 3-hop onions: the sum of the sender's delays (no network time), and CPU per onion. */
async function latency(report: Parameters<Benchmark>[0]['report'], quick: boolean): Promise<void> {
  const suite = createNodeSuite();
  const c = ONION_CLASSES.short;
  const payload = encodeFinalPayload(c, Uint8Array.of(1, ...new Array<number>(40).fill(7)));
  for (const meanMs of [0, 500]) {
    const random = new SeededRandom(`onion-latency-${meanMs}`);
    const clock = new SimClock({ startMs: 1_800_000_000_000 });
    const chain = createInProcessChain(suite, random, clock, 3);
    const infos = onionRelaysOf(suite, chain.relays.map((r) => r.descriptor().bytes), 1_800_000_000);
    const n = quick ? 50 : 300;
    const started = performance.now();
    let simulated = 0;
    for (let i = 0; i < n; i++) {
      const t0 = clock.now();
      const hops = infos.map((r) => ({ serverId: r.serverId, onionKey: r.onionKey, delayCode: drawDelayCode(random, meanMs) }));
      await chain.relays[0]!.handle(buildOnion(suite, random, c, hops, payload), { source: 'bench', maxResponseBytes: 512 });
      while (chain.deposits.length <= i) await clock.advance(Math.max(1, (clock.nextTimerAtMs() ?? clock.now() + 1) - clock.now()));
      simulated += (chain.deposits[i]!.atMs - t0);
    }
    const cpuMs = (performance.now() - started) / n;
    report({ name: `onion.latency.3hops.mean${meanMs}ms`, value: simulated / n, unit: 'ms simulated' });
    report({ name: `onion.cpu.3hops.mean${meanMs}ms`, value: cpuMs, unit: 'ms CPU per onion (build + 3 peels + deposit)' });
  }
}

export default bench;
