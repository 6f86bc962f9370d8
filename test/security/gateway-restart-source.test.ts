/**
 * A gateway restarted (a new router that never heard the registered node,
 * the same data directory and store) still sends the mail it injects for
 * that node authenticated: the node key the router verified when the
 * registration came (DeliverMeta.sourcePublicKey) is kept with it in the
 * registration book, and the injected mail is sent with it as destPublicKey.
 * Without it the mail would go unsourced, settled by the network-key ack
 * anyone can forge.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../apps/meow-node/config.ts';
import { createDelivery } from '../../apps/meow-node/delivery.ts';
import { type RunningGateway, startGateway } from '../../apps/meow-node/gateway-role.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { gatewayAgreementPublic, sealRegistration } from '../../protocol/gateway/registration.ts';
import { encodeGatewayRequest } from '../../protocol/gateway/request.ts';
import { generateLookupKeyPair } from '../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { FakeRelay } from '../gateway/bridge/fake-relay.ts';
import { line, makeMesh, settle, suite, type TestMesh } from '../router/mesh-harness.ts';

const RELAY = 'http://relay.test';
const GATEWAY = 2;
const USER = 0;
/** The harness draws node i's seed as the i-th 32 bytes of this stream. */
const keys = new SeededRandom('test-keys:1');
const seeds = Array.from({ length: 3 }, () => keys.bytes(32));
const gatewayPublic = suite.ed25519PublicKey(seeds[GATEWAY]!);
const userPublic = suite.ed25519PublicKey(seeds[USER]!);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('gateway restart: injected mail stays authenticated', () => {
  it('a new router, the same book: the mail goes with the registered node key and arrives sourced', async () => {
    const log = createLogger('error', () => 0, () => undefined);
    const random = new SeededRandom('gateway-restart-source');
    const relay = new FakeRelay(RELAY, suite, (lookupPublic) => mailboxTagOf(suite, lookupPublic));
    const dataDir = mkdtempSync(join(tmpdir(), 'meow-gateway-restart-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = parseConfig({ dataDir, region: 'none', gateway: { relays: [RELAY], depositStampBits: 0, pollMs: 1_000 } });
    const ref: { gateway?: RunningGateway; store?: Store } = {};
    const sent: { node: string; key: string | undefined }[] = [];
    const boot = async (): Promise<TestMesh> => {
      const m = makeMesh({
        nodes: 3, links: line(3),
        store: (i) => i !== GATEWAY ? undefined : {
          accept: (envelope, meta) => createDelivery({ store: ref.store!, suite, log, gateway: () => ref.gateway })(envelope, meta),
        },
      });
      ref.store ??= openStore({ path: ':memory:', clock: m.clock, random });
      ref.gateway = await startGateway(config, {
        clock: m.clock, random, suite, log, store: ref.store, nodeKey: { seed: seeds[GATEWAY]!, publicKey: gatewayPublic }, openRelay: () => relay,
        sendToNode: (nodeId, envelope, destPublicKey) => {
          sent.push({ node: toHex(nodeId), key: destPublicKey && toHex(destPublicKey) });
          return m.routers[GATEWAY]!.sendDirect(nodeId, envelope, destPublicKey ? { destPublicKey } : {});
        },
      });
      return m;
    };
    // Routers first: a router closed rejects what it still sends, so the gateway's passes end.
    const shutdown = async (m: TestMesh): Promise<void> => {
      for (const r of m.routers) await r.close();
      await ref.gateway!.stop();
    };

    // Before the restart: the user registers, authenticated (it holds the gateway's key: it seals to it).
    const first = await boot();
    const lookup = generateLookupKeyPair(suite, random);
    const nowSec = Math.floor(first.clock.now() / 1000);
    const sealed = sealRegistration(suite, random, { role: 'device', signing: gatewayPublic, agreement: gatewayAgreementPublic(gatewayPublic)! }, {
      relayUrl: RELAY, lookup, deliverTo: first.ids[USER]!, issuedAtSec: nowSec, expiresAtSec: nowSec + 86_400,
    });
    const reg = await settle(first, first.routers[USER]!.sendDirect(first.ids[GATEWAY]!, encodeGatewayRequest({ kind: 'registration', sealed }), { destPublicKey: gatewayPublic }));
    expect(reg.ok).toBe(true);
    await shutdown(first);

    // After: new routers (none holds the user's key), the same data directory and store.
    const m = await boot();
    cleanups.push(() => ref.store!.close());
    cleanups.push(() => shutdown(m));
    expect(ref.gateway!.status().fetcher.registrations).toBe(1);
    const mail = new Uint8Array(50).fill(0x5a);
    relay.mailbox(mailboxTagOf(suite, lookup.publicKey)).set('00'.repeat(16), mail);
    for (let t = 0; t < 120 && m.delivered[USER]!.length === 0; t++) {
      m.run(1_000);
      await new Promise((r) => setImmediate(r));
    }
    expect(sent).toEqual([{ node: toHex(m.ids[USER]!), key: toHex(userPublic) }]);
    expect(m.delivered[USER]!.map((d) => [toHex(d.envelope), d.meta.source && toHex(d.meta.source)])).toEqual([[toHex(mail), toHex(m.ids[GATEWAY]!)]]);
  });
});
