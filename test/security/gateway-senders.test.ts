/**
 * The gateway's allowance per mesh sender (issue 9 item 6) fed by the
 * router's authenticated sources: deposits travel a simulated mesh to the
 * gateway node, whose delivery hands them to the gateway with the sender the
 * router authenticated. A forged source is not credited, two senders behind
 * one gateway get separate allowances, and one cannot starve the other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDelivery } from '../../apps/meow-node/delivery.ts';
import type { RunningGateway } from '../../apps/meow-node/gateway-role.ts';
import { GatewayAllowance } from '../../gateway/bridge/gateway-allowance.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { encodeGatewayRequest } from '../../protocol/gateway/request.ts';
import { computeFrameId, defaultMeshKey } from '../../protocol/mesh/frame-auth.ts';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';
import { encodeFrame, type FrameFields } from '../../protocol/mesh/frame.ts';
import { destHintOf } from '../../protocol/mesh/node-id.ts';
import { encodeOriginBody } from '../../protocol/mesh/origin.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { makeMesh, settle, suite, type TestMesh } from '../router/mesh-harness.ts';

const RELAY = 'http://relay.test';
const GATEWAY = 2;
const keys = new SeededRandom('test-keys:1');
/** The harness draws node i's seed as the i-th 32 bytes of this stream. */
const seeds = Array.from({ length: 3 }, () => keys.bytes(32));
const gatewayKey = suite.ed25519PublicKey(seeds[GATEWAY]!);
const stores: Store[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function deposit(i: number): Uint8Array {
  return encodeGatewayRequest({ kind: 'relay-deposit', relayUrl: RELAY, tag: new SeededRandom(`tag:${i}`).bytes(16), envelope: new Uint8Array(40).fill(i) });
}

/** Senders 0 and 1 both hear the gateway (2); the rogue is heard by the gateway. */
function gatewayMesh(): { m: TestMesh; credited: (string | undefined)[] } {
  const credited: (string | undefined)[] = [];
  // The gateway role's own admission (gateway-role.ts handle), with small allowances to count against.
  const allowance = new GatewayAllowance({
    stampBits: 0, perSender: { capacity: 3, refillPerSecond: 0 }, unauthenticated: { capacity: 2, refillPerSecond: 0 },
  });
  const gateway: RunningGateway = {
    handle: (_request, sender) => {
      const ok = allowance.admit(sender, 0);
      if (ok) credited.push(sender);
      return ok;
    },
    status: () => { throw new Error('unused'); },
    stop: async () => undefined,
  };
  const m = makeMesh({
    nodes: 3, links: [[0, 2], [1, 2]], rogueHeardBy: [GATEWAY], config: { maxAttempts: 2 },
    store: (i) => {
      if (i !== GATEWAY) return undefined;
      const store = openStore({ path: ':memory:', clock: { now: () => 0, setTimer: () => ({ cancel: () => undefined }) }, random: new SeededRandom('db') });
      stores.push(store);
      const deliver = createDelivery({ store, suite, log: createLogger('error', () => 0, () => undefined), gateway: () => gateway });
      return { accept: (envelope, meta) => deliver(envelope, meta) };
    },
  });
  return { m, credited };
}

async function send(m: TestMesh, from: number, i: number): Promise<boolean> {
  return (await settle(m, m.routers[from]!.sendDirect(m.ids[GATEWAY]!, deposit(i), { destPublicKey: gatewayKey }))).ok;
}

describe('gateway: allowance per authenticated mesh sender', () => {
  it('two senders behind one gateway get separate allowances: one over its own cannot starve the other', async () => {
    const { m, credited } = gatewayMesh();
    const flooder: boolean[] = [];
    for (let i = 0; i < 5; i++) flooder.push(await send(m, 0, i));
    // Three deposits of its own, each under a fresh tag; the rest are not acknowledged.
    expect(flooder).toEqual([true, true, true, false, false]);
    const other: boolean[] = [];
    for (let i = 10; i < 13; i++) other.push(await send(m, 1, i));
    expect(other).toEqual([true, true, true]);
    expect(credited).toEqual([...Array(3).fill(toHex(m.ids[0]!)), ...Array(3).fill(toHex(m.ids[1]!))]);
  });

  it('a forged source is not credited to the node it names', async () => {
    const { m, credited } = gatewayMesh();
    const meshKey = defaultMeshKey(suite);
    // The rogue names node 0 (its key is public) without the key 0 shares with the gateway.
    for (let i = 0; i < 4; i++) {
      const payload = encodeOriginBody({ form: 'keyed', publicKey: suite.ed25519PublicKey(seeds[0]!), mac: new SeededRandom(`mac:${i}`).bytes(8) }, deposit(100 + i));
      const fields: FrameFields = { kind: FrameKind.sourcedData, limit: 0, routed: true, destHint: destHintOf(m.ids[GATEWAY]!), payload };
      m.rogue(encodeFrame(fields, computeFrameId(suite, meshKey, fields)));
      m.run(10_000);
    }
    // Two went to the shared unauthenticated allowance, two were refused; node 0 was credited nothing.
    expect(credited).toEqual([undefined, undefined]);
    expect(m.routers[GATEWAY]!.stats().counters.forgedSources).toBe(4);
    // Node 0's own allowance is whole.
    const real: boolean[] = [];
    for (let i = 0; i < 3; i++) real.push(await send(m, 0, i));
    expect(real).toEqual([true, true, true]);
  });
});
