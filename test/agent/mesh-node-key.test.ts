/**
 * Cards name the agent's mesh node by its key (mesh://<64 hex>), and a
 * message to such a contact is submitted with the 32-byte key: the router
 * then puts an origin block on it, and the contact's node two hops away,
 * which never heard this node's announce, authenticates the sending node
 * (docs/PROTOCOL.md "Authenticated source"). A contact whose card names its
 * node by id only gets messages without an authenticated source, as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from '../../agent/agent.ts';
import { memoryCompartment } from '../../agent/compartment.ts';
import { createInProcessNodePort, type InProcessNodePort } from '../../apps/meow-node/local-api/node-port.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import type { SubmitRequest } from '../../seams/node-port.ts';
import { line, makeMesh, suite, type TestMesh } from '../router/mesh-harness.ts';

/** The harness draws node i's seed as the i-th 32 bytes of this stream. */
const seeds = ((r) => Array.from({ length: 3 }, () => r.bytes(32)))(new SeededRandom('test-keys:1'));
const nodeKey = (i: number): Uint8Array => suite.ed25519PublicKey(seeds[i]!);
const stores: Store[] = [];
const ports: InProcessNodePort[] = [];
afterEach(() => {
  ports.splice(0).forEach((p) => p.stop());
  stores.splice(0).forEach((s) => s.close());
});

/** The node port of mesh node i, as mesh-node.ts builds it; `withKey` false: a node that does not tell its key. */
interface Submitted { readonly request: SubmitRequest; readonly receiptId: string }

function nodePort(m: TestMesh, i: number, withKey: boolean, submitted: Submitted[] = []): InProcessNodePort {
  const store = openStore({ path: ':memory:', clock: m.clock, random: new SeededRandom(`db-${i}-${withKey}`) });
  stores.push(store);
  const port = createInProcessNodePort({
    nodeId: m.ids[i]!, ...(withKey ? { nodePublicKey: nodeKey(i) } : {}), store, suite, clock: m.clock,
    random: new SeededRandom(`port-${i}`), log: createLogger('error', () => 0, () => undefined),
    sendDirect: (nodeId: Uint8Array, envelope: Uint8Array, destPublicKey?: Uint8Array) => m.routers[i]!.sendDirect(nodeId, envelope, destPublicKey ? { destPublicKey } : {}),
  });
  ports.push(port);
  const submit = port.submit.bind(port);
  return Object.assign(port, {
    submit: async (request: SubmitRequest) => {
      const receiptId = await submit(request);
      submitted.push({ request, receiptId });
      return receiptId;
    },
  });
}

/** Alice on node 2 invites Bob on node 0 (two hops away); Bob answers; returns what Bob's node was asked to send. */
async function contacts(m: TestMesh, aliceTellsKey: boolean) {
  const submitted: Submitted[] = [];
  const clock = { now: () => m.clock.now() };
  const alice = await Agent.create({ suite, random: new SeededRandom('alice'), clock, node: nodePort(m, 2, aliceTellsKey) }, memoryCompartment());
  const bobPort = nodePort(m, 0, true, submitted);
  const bob = await Agent.create({ suite, random: new SeededRandom('bob'), clock, node: bobPort }, memoryCompartment());
  const invite = await alice.createInvitation('bob');
  const answered = await bob.importCard(invite.card!.bytes, { name: 'alice' });
  await alice.importCard(answered.card!.bytes);
  return { alice, bob, bobPort, invite: invite.card!.bytes, answer: answered.card!.bytes, bobAlice: answered.contact.id, submitted };
}

/** Runs the simulated mesh until the submission is acknowledged by the contact's node. */
async function untilSent(m: TestMesh, port: InProcessNodePort, receiptId: string): Promise<void> {
  for (let i = 0; i < 200 && port.receiptState(receiptId)?.state !== 'sent'; i++) {
    port.pump();
    m.run(1_000);
    await new Promise((r) => setImmediate(r));
  }
  expect(port.receiptState(receiptId)?.state).toBe('sent');
}

describe('agent cards carry the node key; messages go with an authenticated origin', () => {
  it('two hops away, the contact\'s node authenticates the sending node (sourcesAuthenticated, DeliverMeta.source)', async () => {
    const m = makeMesh({ nodes: 3, links: line(3) });
    const { bob, bobPort, invite, answer, bobAlice, submitted } = await contacts(m, true);
    // Both cards name their node by key: mesh://<64 hex> first, and no warning about it.
    for (const [bytes, node] of [[invite, 2], [answer, 0]] as const) {
      const card = decodeCard(suite, bytes);
      expect(card.ok && card.value.servers.map((s) => s.url)).toEqual([`mesh://${toHex(nodeKey(node))}`]);
    }
    const before = submitted.length;
    await bob.send(bobAlice, 'hello from two hops');
    expect(submitted).toHaveLength(before + 1);
    const { request, receiptId } = submitted[before]!;
    expect(toHex(request.meshNode!)).toBe(toHex(nodeKey(2)));
    await untilSent(m, bobPort, receiptId);
    const got = m.delivered[2]!.filter((d) => toHex(d.envelope) === toHex(request.envelope));
    expect(got).toHaveLength(1);
    expect(toHex(got[0]!.meta.source!)).toBe(toHex(m.ids[0]!));
    expect(toHex(got[0]!.meta.sourcePublicKey!)).toBe(toHex(nodeKey(0)));
    expect(m.routers[2]!.stats().counters.sourcesAuthenticated).toBe(1);
  });

  it('a card with the node id only (a node that does not tell its key): sent by id, delivered without a source', async () => {
    const m = makeMesh({ nodes: 3, links: line(3) });
    const { bob, bobPort, invite, bobAlice, submitted } = await contacts(m, false);
    const card = decodeCard(suite, invite);
    expect(card.ok && card.value.servers.map((s) => s.url)).toEqual([`mesh://${toHex(m.ids[2]!)}`]);
    const before = submitted.length;
    await bob.send(bobAlice, 'hello by id');
    expect(submitted).toHaveLength(before + 1);
    const { request, receiptId } = submitted[before]!;
    expect(toHex(request.meshNode!)).toBe(toHex(m.ids[2]!));
    await untilSent(m, bobPort, receiptId);
    const got = m.delivered[2]!.filter((d) => toHex(d.envelope) === toHex(request.envelope));
    expect(got).toHaveLength(1);
    expect(got[0]!.meta.source).toBeUndefined();
    expect(m.routers[2]!.stats().counters.sourcesAuthenticated).toBe(0);
  });
});
