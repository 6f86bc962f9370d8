/**
 * Two meshes joined only through a relay (issue 4): Alice lives on mesh A,
 * Bob on mesh B; each mesh is a user node and a gateway on real UDP
 * sockets, and the gateways reach one real relay over HTTP on loopback.
 * Alice's message goes a1 -> gateway A -> relay -> gateway B -> b1, and
 * Bob's answer the other way; both open with their sessions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayAgreementPublic, sealRegistration } from '../../../protocol/gateway/registration.ts';
import { encodeGatewayRequest } from '../../../protocol/gateway/request.ts';
import { generateLookupKeyPair, type LookupKeyPair } from '../../../protocol/keys/keys.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { mailboxTagOf } from '../../../protocol/server/mailbox.ts';
import { createSessionPair } from '../../../protocol/session/pair.ts';
import type { Session } from '../../../protocol/session/session.ts';
import { createNodeSuite } from '../../../node-runtime/crypto/node-suite.ts';
import { parseConfig } from '../../../apps/meow-node/config.ts';
import { createLogger } from '../../../node-runtime/platform/logger.ts';
import { type MeshNode, startMeshNode } from '../../../apps/meow-node/mesh-node.ts';
import { systemClock } from '../../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../../node-runtime/platform/random.ts';
import { type RunningRelay, startRelay } from '../../../gateway/server/relay.ts';
import { waitUntil } from '../../support/wait.ts';

const suite = createNodeSuite();
const random = new SeededRandom('two-meshes');
const root = mkdtempSync(join(tmpdir(), 'meow-two-meshes-'));
const nodes: MeshNode[] = [];
let relay: RunningRelay;

async function meshNode(name: string, port: number, peer: number, relays: string[] = []): Promise<MeshNode> {
  const config = parseConfig({
    dataDir: join(root, name), region: 'none', status: { port: 0 },
    links: [{ type: 'udp', port, bindAddress: '127.0.0.1', peers: [`127.0.0.1:${peer}`], mdns: false }],
    gateway: { relays, onlineProbeMs: 500, offlineProbeMs: 100, depositStampBits: 8, pollMs: 200 },
  });
  const node = await startMeshNode(config, { clock: systemClock, random: systemRandom, suite, log: createLogger('warn', Date.now, () => {}) });
  nodes.push(node);
  return node;
}


/** What a user's device does to have its gateway fetch its relay mailbox and bring the mail to its node. */
async function register(user: MeshNode, gateway: MeshNode, lookup: LookupKeyPair, issuedAtSec = Math.floor(Date.now() / 1000)): Promise<void> {
  const sealed = sealRegistration(suite, random, { role: 'device', signing: gateway.publicKey, agreement: gatewayAgreementPublic(gateway.publicKey)! }, {
    relayUrl: relay.urls[0]!, lookup, deliverTo: user.nodeId, issuedAtSec, expiresAtSec: issuedAtSec + 3600,
  });
  // Under the gateway's key (the one it sealed to): the gateway keeps a registration only from the node it delivers to.
  await user.router.sendDirect(gateway.nodeId, encodeGatewayRequest({ kind: 'registration', sealed }), { destPublicKey: gateway.publicKey });
}

/** Hands an envelope to the mesh's gateway, bound for the recipient's relay mailbox. */
async function sendViaRelay(from: MeshNode, gateway: MeshNode, recipientLookup: LookupKeyPair, envelope: Uint8Array): Promise<void> {
  const request = encodeGatewayRequest({ kind: 'relay-deposit', relayUrl: relay.urls[0]!, tag: mailboxTagOf(suite, recipientLookup.publicKey), envelope });
  await from.router.sendDirect(gateway.nodeId, request, { destPublicKey: gateway.publicKey });
}

function received(node: MeshNode, session: Session): Uint8Array[] {
  const tag = session.mailboxes(Date.now())[0]!.tag;
  return node.store.mailboxes.list(tag, { limit: 100 }).map((m) => m.bytes);
}

beforeAll(async () => {
  relay = await startRelay({ dataDir: join(root, 'relay'), suite, http: { host: '127.0.0.1', port: 0 }, limits: { depositStampBits: 8 } });
});
afterAll(async () => {
  for (const n of nodes) await n.stop();
  await relay.close();
  rmSync(root, { recursive: true, force: true });
});

describe('two meshes joined only through a relay', () => {
  it('carries a message from Alice on mesh A to Bob on mesh B and the answer back', async () => {
    const a1 = await meshNode('a1', 20301, 20302);
    const gatewayA = await meshNode('gateway-a', 20302, 20301, [relay.urls[0]!]);
    const b1 = await meshNode('b1', 20303, 20304);
    const gatewayB = await meshNode('gateway-b', 20304, 20303, [relay.urls[0]!]);
    const { alice, bob } = createSessionPair(suite, random);
    const aliceRelayBox = generateLookupKeyPair(suite, random);
    const bobRelayBox = generateLookupKeyPair(suite, random);

    await register(a1, gatewayA, aliceRelayBox);
    await register(b1, gatewayB, bobRelayBox);
    // Both mailboxes exist on the relay once each gateway's fetcher has run.
    await waitUntil(() => (gatewayA.status().gateway!.relays[0]!.lastSyncAt && gatewayB.status().gateway!.relays[0]!.lastSyncAt ? true : undefined));

    const hello = alice.sealText('hello Bob, from mesh A').envelope;
    await sendViaRelay(a1, gatewayA, bobRelayBox, hello);
    const atBob = await waitUntil(() => received(b1, bob)[0]);
    expect(atBob).toEqual(hello);
    const opened = bob.open(atBob, Date.now());
    expect(opened.ok && opened.value.body).toEqual({ type: 'text', text: 'hello Bob, from mesh A' });

    const answer = bob.sealText('hello Alice, from mesh B').envelope;
    await sendViaRelay(b1, gatewayB, aliceRelayBox, answer);
    const atAlice = await waitUntil(() => received(a1, alice)[0]);
    const back = alice.open(atAlice, Date.now());
    expect(back.ok && back.value.body).toEqual({ type: 'text', text: 'hello Alice, from mesh B' });

    // The relay kept nothing once the gateways acknowledged, and neither gateway holds mail any more.
    await waitUntil(() => (gatewayB.status().gateway!.injector.injected >= 1 && gatewayA.status().gateway!.injector.injected >= 1 ? true : undefined));
    expect(gatewayA.status().gateway!.outbox.queued).toBe(0);
    expect(gatewayB.status().gateway!.outbox.queued).toBe(0);
    expect(gatewayA.store.mailboxes.totals().messages + gatewayB.store.mailboxes.totals().messages).toBe(0);
  });

  it('keeps registrations across a gateway restart', async () => {
    const a1 = await meshNode('r-a1', 20311, 20312);
    const gatewayA = await meshNode('r-gateway-a', 20312, 20311, [relay.urls[0]!]);
    const b1 = await meshNode('r-b1', 20313, 20314);
    let gatewayB = await meshNode('r-gateway-b', 20314, 20313, [relay.urls[0]!]);
    const { alice, bob } = createSessionPair(suite, random);
    const bobRelayBox = generateLookupKeyPair(suite, random);
    await register(b1, gatewayB, bobRelayBox);
    await waitUntil(() => (gatewayB.status().gateway!.fetcher.registrations === 1 && gatewayB.status().gateway!.relays[0]!.lastSyncAt ? true : undefined));

    await gatewayB.stop();
    nodes.splice(nodes.indexOf(gatewayB), 1);
    gatewayB = await meshNode('r-gateway-b', 20314, 20313, [relay.urls[0]!]);
    expect(gatewayB.status().gateway!.fetcher.registrations).toBe(1);

    const hello = alice.sealText('after the restart').envelope;
    await sendViaRelay(a1, gatewayA, bobRelayBox, hello);
    const atBob = await waitUntil(() => received(b1, bob)[0]);
    const opened = bob.open(atBob, Date.now());
    expect(opened.ok && opened.value.body).toEqual({ type: 'text', text: 'after the restart' });
  });
});
