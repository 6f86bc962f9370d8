/**
 * A submission for a contact's mesh node two hops away (submission-attempt.ts):
 * named by its node id, the sender has no key for it (announces reach
 * neighbours only) and the message arrives without an authenticated source;
 * named by its node key, the message carries the origin block and the
 * destination's router authenticates the sending node.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { envelopeRoutes } from '../../apps/meow-node/local-api/envelope-routes.ts';
import { createInProcessNodePort } from '../../apps/meow-node/local-api/node-port.ts';
import { attemptDelivery, type AttemptContext } from '../../apps/meow-node/local-api/submission-attempt.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import type { AgentSubmissions, SubmissionRow } from '../../node-runtime/store/agent-submissions.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import type { SubmissionUpdate } from '../../seams/node-port.ts';
import { line, makeMesh, settle, suite, type TestMesh } from '../router/mesh-harness.ts';

/** The harness draws node i's seed as the i-th 32 bytes of this stream. */
const keys = new SeededRandom('test-keys:1');
const seeds = Array.from({ length: 3 }, () => keys.bytes(32));
const stores: Store[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

function context(m: TestMesh, updates: SubmissionUpdate[]): AttemptContext {
  const store = openStore({ path: ':memory:', clock: m.clock, random: new SeededRandom('submission-source-db') });
  stores.push(store);
  const submissions = { settle: () => undefined } as unknown as AgentSubmissions;
  return {
    nodeId: m.ids[0]!, store, suite, clock: m.clock, random: new SeededRandom('submission-source'), log: createLogger('error', () => 0, () => undefined),
    submissions, relayFor: () => undefined, announce: (u) => updates.push(u), deposited: () => undefined,
    sendDirect: (nodeId, envelope, destPublicKey) => m.routers[0]!.sendDirect(nodeId, envelope, destPublicKey ? { destPublicKey } : {}),
  };
}

function row(meshNode: Uint8Array, fill: number): SubmissionRow {
  return {
    id: new Uint8Array(16).fill(fill), tag: new Uint8Array(6).fill(fill), envelope: new Uint8Array(60).fill(fill), meshNode, relays: [],
    state: 'queued', failure: undefined, attempts: 0, nextAttemptAt: 0, expiresAt: Number.MAX_SAFE_INTEGER,
  };
}

describe('agent submission to a mesh node two hops away', () => {
  it('by node id: delivered without an authenticated source; by node key: the destination authenticates this node', async () => {
    const m = makeMesh({ nodes: 3, links: line(3) });
    const updates: SubmissionUpdate[] = [];
    const ctx = context(m, updates);
    expect((await settle(m, attemptDelivery(ctx, row(m.ids[2]!, 1)))).ok).toBe(true);
    expect((await settle(m, attemptDelivery(ctx, row(suite.ed25519PublicKey(seeds[2]!), 2)))).ok).toBe(true);
    expect(updates.map((u) => [u.state, u.via])).toEqual([['sent', 'mesh'], ['sent', 'mesh']]);
    const got = m.delivered[2]!.map((d) => [d.envelope[0], d.meta.source && toHex(d.meta.source)]);
    expect(got).toEqual([[1, undefined], [2, toHex(m.ids[0]!)]]);
    expect(m.routers[2]!.stats().counters.sourcesAuthenticated).toBe(1);
  });

  it('a wrong node key is not delivered to the node it resembles: the attempt is queued', async () => {
    const m = makeMesh({ nodes: 3, links: line(3) });
    const updates: SubmissionUpdate[] = [];
    // Node 2's key with a bit flipped: not a valid point (refused at once) or the key of a node nobody runs (no ack).
    const bad = suite.ed25519PublicKey(seeds[2]!);
    bad[31]! ^= 0x80;
    await settle(m, attemptDelivery(context(m, updates), row(bad, 3)));
    expect(updates.map((u) => u.state)).toEqual(['queued']);
    expect(m.delivered[2]).toEqual([]);
  });
});

describe('POST /v1/envelopes meshNode', () => {
  it('takes the node key (64 hex digits) and hands it to the router with the node id; the id alone as before', async () => {
    const store = openStore({ path: ':memory:', clock: { now: () => 1_000, setTimer: () => ({ cancel: () => undefined }) }, random: new SeededRandom('routes-db') });
    stores.push(store);
    const sent: [string, string | undefined][] = [];
    const port = createInProcessNodePort({
      nodeId: new Uint8Array(8).fill(7), store, suite, clock: { now: () => 1_000, setTimer: () => ({ cancel: () => undefined }) },
      random: new SeededRandom('routes'), log: createLogger('error', () => 0, () => undefined),
      sendDirect: (nodeId: Uint8Array, _envelope: Uint8Array, destPublicKey?: Uint8Array) => {
        sent.push([toHex(nodeId), destPublicKey && toHex(destPublicKey)]);
        return Promise.resolve('acked');
      },
    });
    const submit = envelopeRoutes(port, suite).find((r) => r.method === 'POST' && r.path.test('/v1/envelopes'))!;
    const key = suite.ed25519PublicKey(seeds[2]!);
    const envelope = (n: number): string => Buffer.from(new Uint8Array(30).fill(n)).toString('base64');
    await submit.run({ params: [], query: new URLSearchParams(), body: { tag: '010203040506', envelope: envelope(1), meshNode: toHex(key) } });
    await submit.run({ params: [], query: new URLSearchParams(), body: { tag: '010203040506', envelope: envelope(2), meshNode: '0102030405060708' } });
    await expect(Promise.resolve().then(() => submit.run({ params: [], query: new URLSearchParams(), body: { tag: '010203040506', envelope: envelope(3), meshNode: '01020304' } })))
      .rejects.toThrow(/node id \(16 hex digits\) or the node key \(64\)/);
    port.pump();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    port.stop();
    expect(sent.sort()).toEqual([['0102030405060708', undefined], [toHex(meshNodeId(suite, key)), toHex(key)]].sort());
  });
});
