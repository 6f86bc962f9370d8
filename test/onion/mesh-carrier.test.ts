/**
 * The two ends of Matriochka over the mesh in one process, the mesh replaced
 * by a function: the sender's MeshOnionClient (gateway/bridge/mesh-onion-client.ts)
 * builds onions through withMeshOnions, the gateway's OnionCarrier
 * (gateway/bridge/onion-carrier.ts) answers them, relays are fakes holding
 * real signed descriptors. What the sender sees for each answer, the
 * catalog kept, the pin required, answers from anyone but the gateway
 * ignored, unauthenticated senders never answered.
 */
import { describe, expect, it } from 'vitest';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { decodeGatewayRequest } from '../../protocol/gateway/request.ts';
import { encodeGatewayAnswer } from '../../protocol/gateway/onion-answer.ts';
import { ONION_CLASSES, onionPacketBytes } from '../../protocol/onion/constants.ts';
import { createServerDescriptor } from '../../protocol/server/descriptor.ts';
import { RelayError } from '../../protocol/server/errors.ts';
import { pinnedUrl, relayKeyFingerprint } from '../../protocol/server/fingerprint.ts';
import { generateServerKeyPair } from '../../protocol/keys/keys.ts';
import { OnionRouteError, type RelayPort, RelayRefusedError, RelayUnreachableError } from '../../seams/relay-port.ts';
import { GatewayAllowance } from '../../gateway/bridge/gateway-allowance.ts';
import { chooseMeshGateway, type HeardNode, MeshOnionClient, withMeshOnions } from '../../gateway/bridge/mesh-onion-client.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import { AnnounceFlag } from '../../protocol/mesh/announce.ts';
import { type CarriedRelay, OnionCarrier } from '../../gateway/bridge/onion-carrier.ts';

const suite = createNodeSuite();
const START_MS = 1_800_000_000_000;
const FIRST = 'http://first.example';
const SENDER = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1]);
const GATEWAY = Uint8Array.from([2, 2, 2, 2, 2, 2, 2, 2]);

function relays() {
  const random = new SeededRandom('carrier-relays');
  return ['first', 'middle', 'last'].map((name) => {
    const key = generateServerKeyPair(suite, random);
    const descriptor = createServerDescriptor(suite, key, [`http://${name}.example`], START_MS / 1000 - 10, START_MS / 1000 + 86_400,
      { key: suite.x25519PublicKey(random.bytes(32)), validUntilSec: START_MS / 1000 + 86_400 });
    return { key, descriptor };
  });
}

interface Setup {
  clock: SimClock;
  client: MeshOnionClient;
  port: RelayPort;
  carrier: OnionCarrier;
  /** Packets the fake first relay took. */
  taken: Uint8Array[];
  /** What the fake first relay does with the next packet. */
  relayFails: { next?: Error };
  /** Requests the gateway saw, as their kind. */
  requests: string[];
}

function setup(o: { perHour?: number; authenticated?: boolean; served?: readonly string[] } = {}): Setup {
  const clock = new SimClock({ startMs: START_MS });
  const random = new SeededRandom('carrier');
  const [first, middle, last] = relays();
  const taken: Uint8Array[] = [];
  const relayFails: Setup['relayFails'] = {};
  const requests: string[] = [];
  const fake: CarriedRelay = {
    connect: () => Promise.resolve(first!.descriptor),
    catalog: () => Promise.resolve([first!.descriptor, middle!.descriptor, last!.descriptor]),
    sendOnion: (packet) => {
      const e = relayFails.next;
      relayFails.next = undefined;
      if (e) return Promise.reject(e);
      taken.push(packet);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  const perHour = o.perHour ?? 30;
  const ref: { client?: MeshOnionClient } = {};
  const carrier = new OnionCarrier({
    relays: o.served ?? [FIRST], open: () => Promise.resolve(fake), clock,
    allowance: new GatewayAllowance({ stampBits: 0, perSender: { capacity: perHour, refillPerSecond: perHour / 3600 } }),
    reply: (nodeId, answer) => {
      expect(toHex(nodeId)).toBe(toHex(SENDER));
      queueMicrotask(() => ref.client?.deliver(answer, GATEWAY));
      return Promise.resolve();
    },
    log: () => undefined,
  });
  const client = new MeshOnionClient({
    suite, random, clock, answerWithinMs: 5_000,
    gateway: () => ({ nodeId: GATEWAY }),
    send: (_g, bytes) => {
      const request = decodeGatewayRequest(bytes);
      if (!request.ok || (request.value.kind !== 'onion' && request.value.kind !== 'onion-catalog')) throw new Error('not an onion request');
      requests.push(request.value.kind);
      carrier.handle(request.value, o.authenticated === false ? undefined : toHex(SENDER));
      return Promise.resolve('acked');
    },
  });
  ref.client = client;
  const http: RelayPort = {
    url: pinnedUrl(FIRST, relayKeyFingerprint(suite, first!.key.publicKey)),
    probe: () => Promise.resolve(false),
    deposit: () => Promise.reject(new RelayUnreachableError('no Internet')),
    fetch: () => Promise.reject(new RelayUnreachableError('no Internet')),
    register: () => Promise.reject(new RelayUnreachableError('no Internet')),
    close: () => Promise.resolve(),
  };
  const port = withMeshOnions(http, client, { suite, random, clock, stampBits: 4 });
  return { clock, client, port, carrier, taken, relayFails, requests };
}

const request = (envelopeBytes = 60) => ({
  mailboxUrls: ['http://last.example'], tag: new Uint8Array(16).fill(9), envelope: new Uint8Array(envelopeBytes).fill(0x11),
  hops: 3, meanDelayMs: 0, exclude: new Set<string>(),
});

/** Runs the clock until `p` settles (the answer timeouts are on it). */
async function settle<T>(s: Setup, p: Promise<T>): Promise<T> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 100 && !done; i++) {
    await new Promise((r) => setImmediate(r));
    if (!done) s.clock.runUntilSync(s.clock.now() + 100);
  }
  return p;
}

describe('onions over the mesh, sender and gateway', () => {
  it('fetches the catalog once, sends the smallest class that fits, and says which chain', async () => {
    const s = setup();
    const sent = await settle(s, s.port.sendOnion!(request()));
    expect(sent.chain).toHaveLength(3);
    expect(s.taken.map((p) => p.length)).toEqual([onionPacketBytes(ONION_CLASSES.radio)]);
    await settle(s, s.port.sendOnion!(request(200)));
    expect(s.taken.map((p) => p.length)).toEqual([onionPacketBytes(ONION_CLASSES.radio), onionPacketBytes(ONION_CLASSES.short)]);
    expect(s.requests).toEqual(['onion-catalog', 'onion', 'onion']);
    expect(s.client.stats).toMatchObject({ catalogFetches: 1, answers: 3, ignoredAnswers: 0 });
    expect(s.carrier.stats).toMatchObject({ carried: 2, catalogs: 1, refused: 0 });
  });

  it('refuses a message too long for the short class: a long-class packet is not carried over the mesh', async () => {
    const s = setup();
    await expect(settle(s, s.port.sendOnion!(request(1000)))).rejects.toThrow(/too long for an onion over the mesh \(a 4398-byte packet; at most the 558-byte class\)/);
    expect(s.requests).toEqual(['onion-catalog']);
  });

  it('refuses an unpinned first relay before anything crosses the mesh', async () => {
    const s = setup();
    const unpinned = withMeshOnions({ ...s.port, url: FIRST }, s.client, { suite, random: new SeededRandom('x'), clock: s.clock, stampBits: 0 });
    await expect(settle(s, unpinned.sendOnion!(request()))).rejects.toThrow(OnionRouteError);
    expect(s.requests).toEqual([]);
  });

  it('a relay the gateway does not serve fails for good; an exhausted allowance and a relay down are retried', async () => {
    const other = setup({ served: ['http://elsewhere.example'] });
    await expect(settle(other, other.port.sendOnion!(request()))).rejects.toThrow(/this gateway does not serve relay http:\/\/first.example/);
    await expect(settle(other, other.port.sendOnion!(request()))).rejects.toBeInstanceOf(OnionRouteError);

    const s = setup({ perHour: 2 });
    await settle(s, s.port.sendOnion!(request()));
    const over = settle(s, s.port.sendOnion!(request()));
    await expect(over).rejects.toBeInstanceOf(RelayUnreachableError);
    await expect(over).rejects.toThrow('through the mesh gateway: over this gateway\'s onion allowance for your node: try again later');

    const t = setup();
    t.relayFails.next = new RelayError('malformed', 'bad packet');
    await expect(settle(t, t.port.sendOnion!(request()))).rejects.toBeInstanceOf(RelayRefusedError);
    t.relayFails.next = new Error('ECONNREFUSED');
    const down = settle(t, t.port.sendOnion!(request()));
    await expect(down).rejects.toBeInstanceOf(RelayUnreachableError);
    await expect(down).rejects.toThrow(/relay http:\/\/first.example unreachable: ECONNREFUSED/);
    expect(t.taken).toEqual([]);
  });

  it('never answers an unauthenticated sender: the sender gives up at its deadline', async () => {
    const s = setup({ authenticated: false });
    await expect(settle(s, s.port.sendOnion!(request()))).rejects.toThrow(/no answer from the mesh gateway 0202020202020202 in time/);
    expect(s.carrier.stats.unanswerable).toBe(1);
  });

  it('ignores answers from another node than the gateway, and answers to no pending ticket', async () => {
    const s = setup();
    const forged = encodeGatewayAnswer({ kind: 'onion-status', ticket: new Uint8Array(8), code: 'ok', reason: '' });
    expect(s.client.deliver(forged, GATEWAY)).toBe(true);
    expect(s.client.deliver(forged, SENDER)).toBe(true);
    expect(s.client.deliver(Uint8Array.of(0x11, 1, 2), GATEWAY)).toBe(false);
    expect(s.client.stats.ignoredAnswers).toBe(2);
  });
});

describe('which gateway carries the onions (config onion.gateway)', () => {
  const key = (n: number): Uint8Array => suite.ed25519PublicKey(new Uint8Array(32).fill(n));
  const heard = (n: number, flags: number, hops: number): HeardNode => ({ nodeId: toHex(meshNodeId(suite, key(n))), publicKey: key(n), flags, hops });

  it('a configured key names its node, with the key so the first request is authenticated', () => {
    expect(chooseMeshGateway(suite, toHex(key(1)), () => [], 'self')).toEqual({ nodeId: meshNodeId(suite, key(1)), publicKey: key(1) });
  });

  it('"auto": the nearest node heard with the gateway flag, never this node; none heard yet: none', () => {
    const nodes = [heard(1, AnnounceFlag.gateway, 3), heard(2, AnnounceFlag.mailboxHost, 1), heard(3, AnnounceFlag.gateway | AnnounceFlag.mailboxHost, 2), heard(4, AnnounceFlag.gateway, 0)];
    const self = nodes[3]!.nodeId;
    expect(chooseMeshGateway(suite, 'auto', () => nodes, self)).toEqual({ nodeId: meshNodeId(suite, key(3)), publicKey: key(3) });
    expect(chooseMeshGateway(suite, 'auto', () => [], self)).toBeUndefined();
  });
});
