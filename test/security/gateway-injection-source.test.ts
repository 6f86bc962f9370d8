/**
 * Mail a gateway fetched for a registered node two hops away reaches that
 * node with the gateway as its authenticated source: the registration came
 * with an origin block (a registrant holds the gateway's key: it seals to
 * it), so the gateway's router holds the node's key and its injected mail
 * carries an origin and is settled only by the node's pairwise ack.
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
import { line, makeMesh, settle, suite } from '../router/mesh-harness.ts';

const RELAY = 'http://relay.test';
const GATEWAY = 2;
const USER = 0;
/** The harness draws node i's seed as the i-th 32 bytes of this stream. */
const keys = new SeededRandom('test-keys:1');
const seeds = Array.from({ length: 3 }, () => keys.bytes(32));
const gatewayPublic = suite.ed25519PublicKey(seeds[GATEWAY]!);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('gateway: injected mail to a registered node', () => {
  it('two hops away, arrives with the gateway as its authenticated source', async () => {
    const log = createLogger('error', () => 0, () => undefined);
    const ref: { gateway?: RunningGateway; store?: Store } = {};
    const m = makeMesh({
      nodes: 3, links: line(3),
      store: (i) => i !== GATEWAY ? undefined : {
        accept: (envelope, meta) => createDelivery({ store: ref.store!, suite, log, gateway: () => ref.gateway })(envelope, meta),
      },
    });
    const random = new SeededRandom('gateway-injection');
    ref.store = openStore({ path: ':memory:', clock: m.clock, random });
    cleanups.push(() => ref.store!.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'meow-gateway-injection-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const relay = new FakeRelay(RELAY, suite, (lookupPublic) => mailboxTagOf(suite, lookupPublic));
    ref.gateway = await startGateway(parseConfig({ dataDir, region: 'none', gateway: { relays: [RELAY], depositStampBits: 0, pollMs: 1_000 } }), {
      clock: m.clock, random, suite, log, store: ref.store, nodeKey: { seed: seeds[GATEWAY]!, publicKey: gatewayPublic },
      sendToNode: (nodeId, envelope) => m.routers[GATEWAY]!.sendDirect(nodeId, envelope), openRelay: () => relay,
    });
    cleanups.push(() => ref.gateway!.stop());
    // First: a router closed rejects what it still sends, so the gateway's passes end.
    cleanups.push(async () => { for (const r of m.routers) await r.close(); });

    const lookup = generateLookupKeyPair(suite, random);
    const nowSec = Math.floor(m.clock.now() / 1000);
    const sealed = sealRegistration(suite, random, { role: 'device', signing: gatewayPublic, agreement: gatewayAgreementPublic(gatewayPublic)! }, {
      relayUrl: RELAY, lookup, deliverTo: m.ids[USER]!, issuedAtSec: nowSec, expiresAtSec: nowSec + 86_400,
    });
    const sent = await settle(m, m.routers[USER]!.sendDirect(m.ids[GATEWAY]!, encodeGatewayRequest({ kind: 'registration', sealed }), { destPublicKey: gatewayPublic }));
    expect(sent.ok).toBe(true);
    expect(ref.gateway.status().fetcher.registrations).toBe(1);

    // Mail waiting on the relay for the registered mailbox.
    const mail = new Uint8Array(50).fill(0x5a);
    relay.mailbox(mailboxTagOf(suite, lookup.publicKey)).set('00'.repeat(16), mail);
    for (let t = 0; t < 120 && m.delivered[USER]!.length === 0; t++) {
      m.run(1_000);
      await new Promise((r) => setImmediate(r));
    }
    expect(m.delivered[USER]!.map((d) => [toHex(d.envelope), d.meta.source && toHex(d.meta.source)])).toEqual([[toHex(mail), toHex(m.ids[GATEWAY]!)]]);
  });
});
