/**
 * What a Matriochka onion costs on air over the mesh, measured: two routers
 * on the simulated LoRa medium (hardware/radio-sim, LongFast SF11/250 kHz,
 * Semtech airtime formula), a sender and its gateway one hop apart, real
 * frames, fragments and acknowledgements counted by the medium. Payloads,
 * for the same text:
 *  - a direct envelope to a mesh node (the baseline);
 *  - a plain relay deposit through the gateway (0xF1: URL, tag, envelope);
 *  - a 3-hop onion through the gateway (0xF3 with the short-class packet,
 *    a stamped first-contact deposit inside) and the gateway's answer (0xF5);
 *  - the first relay's catalog (0xF4, answered 0xF6 with three signed
 *    descriptors), fetched once per onion key period, not per message.
 * Each is sent after a warm-up message, so route discovery is not counted.
 * The figures go to docs/BENCHMARKS.md "Matriochka onions"; the frame
 * counts are asserted exactly (the medium and the keys are seeded).
 */
import { describe, expect, it } from 'vitest';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { createRadioMedium } from '../../hardware/radio-sim/medium.ts';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { createSimRadioLink } from '../../node-runtime/links/sim-radio/sim-radio-link.ts';
import { createRouter, type Router } from '../../node-runtime/router/router.ts';
import { createTransmitQueue } from '../../node-runtime/scheduler/transmit-queue.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { utf8 } from '../../protocol/codec/bytes.ts';
import { directHeader, encodeDirectEnvelope } from '../../protocol/envelope/direct.ts';
import { buildOnion } from '../../protocol/onion/build.ts';
import { ONION_CLASSES, onionPacketBytes } from '../../protocol/onion/constants.ts';
import { encodeFinalPayload } from '../../protocol/onion/payload.ts';
import { encodeRequest } from '../../protocol/server/request-encode.ts';
import { mintStamp } from '../../protocol/server/stamp.ts';
import { createServerDescriptor } from '../../protocol/server/descriptor.ts';
import { generateServerKeyPair } from '../../protocol/keys/keys.ts';
import { serverIdOf } from '../../protocol/server/seal.ts';
import { encodeGatewayRequest } from '../../protocol/gateway/request.ts';
import { encodeGatewayAnswer } from '../../protocol/gateway/onion-answer.ts';
import { classFor } from '../../gateway/client/onion-sender.ts';

const suite = createNodeSuite();
const TEXT = 'see you at the north gate at noon';
const RELAY_URL = 'https://relay.example.org';

interface OnAir {
  frames: number;
  bytes: number;
  airtimeMs: number;
}

/** Two routers one hop apart on the medium with the given radio MTU; sends each exchange after a warm-up and returns what the medium counted. */
async function measure(mtu: number, exchange: (s: { a: Router; b: Router; aId: Uint8Array; bId: Uint8Array; aKey: Uint8Array; bKey: Uint8Array }) => Promise<unknown>): Promise<OnAir> {
  const clock = new SimClock();
  const medium = createRadioMedium({ clock, seed: 1, lossProbability: 0, topology: { nodes: [{ id: 'a' }, { id: 'b' }], links: [{ a: 'a', b: 'b', rssiDbm: -100 }] } });
  const keys = new SeededRandom('airtime-keys');
  const sent = { frames: 0, bytes: 0 };
  const make = (id: string): { router: Router; key: Uint8Array; nodeId: Uint8Array } => {
    const link = createSimRadioLink({ medium, nodeId: id, mtu });
    const counted = { ...link, id: link.id, kind: link.kind, mtu: link.mtu, airtimeMs: (n: number) => link.airtimeMs(n), onFrame: link.onFrame.bind(link), stats: () => link.stats(), close: () => link.close(),
      send: (f: Uint8Array) => { sent.frames++; sent.bytes += f.length; return link.send(f); } };
    const seed = keys.bytes(32);
    const key = suite.ed25519PublicKey(seed);
    const random = new SeededRandom(`airtime-router-${id}`);
    const router = createRouter({
      nodeKeys: { seed, publicKey: key }, suite, clock, random, links: [counted],
      queues: [createTransmitQueue({ link: counted, clock, random, channel: medium.channelMonitor(id) })],
      config: { announceIntervalMs: 0 },
    });
    router.onDeliver(() => undefined);
    return { router, key, nodeId: meshNodeId(suite, key) };
  };
  const A = make('a');
  const B = make('b');
  const settle = async (p: Promise<unknown>): Promise<void> => {
    let done = false;
    p.then(() => (done = true), (e: unknown) => { throw e; });
    for (let i = 0; i < 600 && !done; i++) {
      clock.runUntilSync(clock.now() + 1000);
      await new Promise((r) => setImmediate(r));
    }
    expect(done).toBe(true);
    clock.runUntilSync(clock.now() + 30_000); // trailing acknowledgements
  };
  const s = { a: A.router, b: B.router, aId: A.nodeId, bId: B.nodeId, aKey: A.key, bKey: B.key };
  // Warm-up: routes and pair keys both ways, so only the exchange itself is counted.
  await settle(A.router.sendDirect(B.nodeId, utf8('warm'), { destPublicKey: B.key }));
  await settle(B.router.sendDirect(A.nodeId, utf8('warm'), { destPublicKey: A.key }));
  const before = { ...sent, airtimeMs: medium.nodeCounters('a').airtimeMs + medium.nodeCounters('b').airtimeMs };
  await settle(exchange(s));
  const after = medium.nodeCounters('a').airtimeMs + medium.nodeCounters('b').airtimeMs;
  await A.router.close();
  await B.router.close();
  return { frames: sent.frames - before.frames, bytes: sent.bytes - before.bytes, airtimeMs: after - before.airtimeMs };
}

function payloads() {
  const random = new SeededRandom('airtime-payloads');
  // A direct envelope: header 10, inner type byte and the text, AEAD tag (protocol/envelope/direct.ts).
  const envelope = encodeDirectEnvelope(directHeader(random.bytes(6), 1), random.bytes(1 + utf8(TEXT).length + 16), 0x123456);
  const relayTag = random.bytes(16);
  const relays = [0, 1, 2].map((i) => {
    const key = generateServerKeyPair(suite, random);
    const onionSecret = random.bytes(32);
    const descriptor = createServerDescriptor(suite, key, [`https://relay-${i}.example.org`], 1_800_000_000, 1_800_086_400,
      { key: suite.x25519PublicKey(onionSecret), validUntilSec: 1_800_086_400 });
    return { key, descriptor, hop: { serverId: serverIdOf(suite, key.publicKey), onionKey: suite.x25519PublicKey(onionSecret), delayCode: 20 } };
  });
  // First contact: no sender pass, so the deposit carries a stamp for the last relay (16 bits, as a node mints).
  const stamp = mintStamp(suite, random, relays[2]!.key.publicKey.signing, relayTag, 16, 30_000_000);
  const deposit = encodeRequest({ kind: 'deposit', tag: relayTag, envelope, stamp });
  const onionClass = classFor(deposit.length, 3, true);
  const packet = buildOnion(suite, random, onionClass, relays.map((r) => r.hop), encodeFinalPayload(onionClass, deposit));
  // The same deposit in the short class: what a longer text, or a message carrying a key rotation, takes.
  const shortPacket = buildOnion(suite, random, ONION_CLASSES.short, relays.map((r) => r.hop), encodeFinalPayload(ONION_CLASSES.short, deposit));
  const ticket = random.bytes(8);
  return {
    envelope, deposit, onionClass, packet,
    relayDeposit: encodeGatewayRequest({ kind: 'relay-deposit', relayUrl: RELAY_URL, tag: relayTag, envelope }),
    onion: encodeGatewayRequest({ kind: 'onion', ticket, relayUrl: RELAY_URL, packet }),
    shortOnion: encodeGatewayRequest({ kind: 'onion', ticket, relayUrl: RELAY_URL, packet: shortPacket }),
    status: encodeGatewayAnswer({ kind: 'onion-status', ticket, code: 'ok', reason: '' }),
    catalogQuery: encodeGatewayRequest({ kind: 'onion-catalog', ticket, relayUrl: RELAY_URL }),
    catalog: encodeGatewayAnswer({ kind: 'onion-catalog', ticket, code: 'ok', descriptors: relays.map((r) => r.descriptor.bytes) }),
  };
}

describe('a 3-hop onion on air over the mesh, against a direct envelope', () => {
  it('counts frames, bytes and LongFast airtime for each way of sending the same text', async () => {
    const p = payloads();
    // A 33-byte text with a first-contact stamp fits the radio class (deposit <= 102 bytes).
    expect(p.deposit.length).toBeLessThanOrEqual(102);
    expect(p.onionClass.name).toBe('radio');
    expect(p.packet.length).toBe(onionPacketBytes(ONION_CLASSES.radio));
    const rows: Record<string, string>[] = [];
    for (const mtu of [255, 240]) {
      const direct = await measure(mtu, (s) => s.a.sendDirect(s.bId, p.envelope, { destPublicKey: s.bKey }));
      const deposit = await measure(mtu, (s) => s.a.sendDirect(s.bId, p.relayDeposit, { destPublicKey: s.bKey }));
      const onion = await measure(mtu, async (s) => {
        await s.a.sendDirect(s.bId, p.onion, { destPublicKey: s.bKey });
        await s.b.sendDirect(s.aId, p.status, { destPublicKey: s.aKey });
      });
      const shortOnion = await measure(mtu, async (s) => {
        await s.a.sendDirect(s.bId, p.shortOnion, { destPublicKey: s.bKey });
        await s.b.sendDirect(s.aId, p.status, { destPublicKey: s.aKey });
      });
      const catalog = await measure(mtu, async (s) => {
        await s.a.sendDirect(s.bId, p.catalogQuery, { destPublicKey: s.bKey });
        await s.b.sendDirect(s.aId, p.catalog, { destPublicKey: s.aKey });
      });
      const row = (what: string, bytes: number, m: OnAir): Record<string, string> => ({
        mtu: String(mtu), what, payload: `${bytes} B`, frames: String(m.frames), 'bytes on air': String(m.bytes),
        'airtime ms': m.airtimeMs.toFixed(0), ratio: (m.airtimeMs / direct.airtimeMs).toFixed(2),
      });
      rows.push(
        row('direct envelope to a mesh node', p.envelope.length, direct),
        row('relay deposit via the gateway (0xF1)', p.relayDeposit.length, deposit),
        row('3-hop radio-class onion (228) via the gateway, 0xF3 + 0xF5 answer', p.onion.length + p.status.length, onion),
        row('3-hop short-class onion (558) via the gateway, 0xF3 + 0xF5 answer', p.shortOnion.length + p.status.length, shortOnion),
        row('catalog, once per key period (0xF4 + 0xF6, 3 relays)', p.catalogQuery.length + p.catalog.length, catalog),
      );
    }
    console.log(`deposit ${p.deposit.length} B, envelope ${p.envelope.length} B`);
    console.table(rows);
    // Seeded medium and keys: the same frames every run. A direct envelope is one data frame and its acknowledgements;
    // an onion request is over one frame's room with its origin block whatever its class, so it is fragmented, each fragment acknowledged.
    expect(rows.map((r) => Number(r.frames))).toEqual([3, 3, 7, 8, 9, 3, 3, 7, 9, 9]);
    for (const mtu of ['255', '240']) {
      const [direct, deposit, radio, short] = rows.filter((r) => r.mtu === mtu).map((r) => Number(r.ratio));
      expect(direct).toBe(1);
      expect(deposit).toBeLessThan(radio as number);
      expect(radio).toBeLessThan(short as number);
    }
  }, 20_000);
});
