/**
 * A gateway role on a three-node line mesh (user 0 - relay node 1 - gateway
 * 2) with the real routers of the mesh harness, an in-memory store and one
 * in-memory relay. `boot()` may be called again on the same data directory
 * and store: that is a gateway restart with new routers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../apps/meow-node/config.ts';
import { createDelivery } from '../../apps/meow-node/delivery.ts';
import { type RunningGateway, startGateway } from '../../apps/meow-node/gateway-role.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { gatewayAgreementPublic, sealRegistration } from '../../protocol/gateway/registration.ts';
import { encodeGatewayRequest } from '../../protocol/gateway/request.ts';
import type { LookupKeyPair } from '../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { FakeRelay } from '../gateway/bridge/fake-relay.ts';
import { line, makeMesh, settle, suite, type TestMesh } from '../router/mesh-harness.ts';

export const RELAY = 'http://relay.test';
export const GATEWAY = 2;
export const USER = 0;
/** The harness draws node i's seed as the i-th 32 bytes of this stream. */
const keys = new SeededRandom('test-keys:1');
const seeds = Array.from({ length: 3 }, () => keys.bytes(32));
export const gatewayPublic = suite.ed25519PublicKey(seeds[GATEWAY]!);
export const userPublic = suite.ed25519PublicKey(seeds[USER]!);

export interface MeshGatewayBed {
  readonly random: SeededRandom;
  readonly relay: FakeRelay;
  /** What the gateway asked its router to send: node id and the node key it gave, in hex. */
  readonly sent: { node: string; key: string | undefined }[];
  gateway(): RunningGateway;
  /** A new mesh and a gateway on it (the same data directory and store each time). */
  boot(): Promise<TestMesh>;
  /** Routers first: a router closed rejects what it still sends, so the gateway's passes end. */
  shutdown(m: TestMesh): Promise<void>;
  /** The user registers `lookup`'s mailbox for delivery to itself, sealed to the gateway and sent authenticated. */
  register(m: TestMesh, lookup: LookupKeyPair): Promise<{ ok: boolean }>;
  /** Runs the mesh until the user has a delivery (two minutes of mesh time at most). */
  untilDelivered(m: TestMesh): Promise<void>;
  close(): void;
}

/** `passNodeKey` false: the gateway's sends go without the node key it holds (the router must know the key itself). */
export function meshGatewayBed(name: string, passNodeKey = true): MeshGatewayBed {
  const log = createLogger('error', () => 0, () => undefined);
  const random = new SeededRandom(name);
  const relay = new FakeRelay(RELAY, suite, (lookupPublic) => mailboxTagOf(suite, lookupPublic));
  const dataDir = mkdtempSync(join(tmpdir(), `meow-${name}-`));
  const config = parseConfig({ dataDir, region: 'none', gateway: { relays: [RELAY], depositStampBits: 0, pollMs: 1_000 } });
  const sent: { node: string; key: string | undefined }[] = [];
  let gateway: RunningGateway | undefined;
  let store: Store | undefined;
  return {
    random, relay, sent,
    gateway: () => gateway!,
    async boot() {
      const m = makeMesh({
        nodes: 3, links: line(3),
        store: (i) => i !== GATEWAY ? undefined : {
          accept: (envelope, meta) => createDelivery({ store: store!, suite, log, gateway: () => gateway })(envelope, meta),
        },
      });
      store ??= openStore({ path: ':memory:', clock: m.clock, random });
      gateway = await startGateway(config, {
        clock: m.clock, random, suite, log, store, nodeKey: { seed: seeds[GATEWAY]!, publicKey: gatewayPublic }, openRelay: () => relay,
        sendToNode: (nodeId, envelope, destPublicKey) => {
          const key = passNodeKey ? destPublicKey : undefined;
          sent.push({ node: toHex(nodeId), key: key && toHex(key) });
          return m.routers[GATEWAY]!.sendDirect(nodeId, envelope, key ? { destPublicKey: key } : {});
        },
      });
      return m;
    },
    async shutdown(m) {
      for (const r of m.routers) await r.close();
      await gateway!.stop();
    },
    async register(m, lookup) {
      const nowSec = Math.floor(m.clock.now() / 1000);
      const sealed = sealRegistration(suite, random, { role: 'device', signing: gatewayPublic, agreement: gatewayAgreementPublic(gatewayPublic)! }, {
        relayUrl: RELAY, lookup, deliverTo: m.ids[USER]!, issuedAtSec: nowSec, expiresAtSec: nowSec + 86_400,
      });
      return settle(m, m.routers[USER]!.sendDirect(m.ids[GATEWAY]!, encodeGatewayRequest({ kind: 'registration', sealed }), { destPublicKey: gatewayPublic }));
    },
    async untilDelivered(m) {
      for (let t = 0; t < 120 && m.delivered[USER]!.length === 0; t++) {
        m.run(1_000);
        await new Promise((r) => setImmediate(r));
      }
    },
    close() {
      store?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
