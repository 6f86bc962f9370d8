/**
 * The web client's POST /api/envelopes (apps/meow-node/web/routes.ts) takes
 * a submission's mesh node as the local API does
 * (apps/meow-node/local-api/mesh-node-field.ts): the 8-byte node id, or the
 * 32-byte node key a card's mesh://<node key> entry carries, which reaches
 * the router as the destination key (an authenticated origin). Anything else
 * is a 400 naming the field, and nothing is queued. In process: no node is spawned.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { envelopeRoutes } from '../../apps/meow-node/local-api/envelope-routes.ts';
import { LocalApiError } from '../../apps/meow-node/local-api/errors.ts';
import { createInProcessNodePort, type InProcessNodePort } from '../../apps/meow-node/local-api/node-port.ts';
import { submitEnvelope, type WebRouteDeps } from '../../apps/meow-node/web/routes.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';

const suite = createNodeSuite();
const clock = { now: () => 1_000, setTimer: () => ({ cancel: () => undefined }) };
const key = suite.ed25519PublicKey(new SeededRandom('a contact node').bytes(32));
let store: Store | undefined;
let port: InProcessNodePort | undefined;
afterEach(() => {
  port?.stop();
  store?.close();
});

/** A node port whose router is a recorder of (node id, destination key) per send. */
function node(): { port: InProcessNodePort; sent: [string, string | undefined][] } {
  store = openStore({ path: ':memory:', clock, random: new SeededRandom('web-node-key-db') });
  const sent: [string, string | undefined][] = [];
  port = createInProcessNodePort({
    nodeId: new Uint8Array(8).fill(7), store, suite, clock, random: new SeededRandom('web-node-key'), log: createLogger('error', () => 0, () => undefined),
    sendDirect: (nodeId: Uint8Array, _envelope: Uint8Array, destPublicKey?: Uint8Array) => {
      sent.push([toHex(nodeId), destPublicKey && toHex(destPublicKey)]);
      return Promise.resolve('acked');
    },
  });
  return { port, sent };
}

async function flush(p: InProcessNodePort): Promise<void> {
  p.pump();
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

const envelope = (n: number): string => Buffer.from(new Uint8Array(30).fill(n)).toString('base64');

describe('web API: a submission\'s meshNode', () => {
  it('takes the node key (64 hex digits) and gives it to the router with the id derived from it; the id alone as before', async () => {
    const { port: p, sent } = node();
    const deps = { port: p } as unknown as WebRouteDeps;
    await submitEnvelope(deps, { tag: '010203040506', envelope: envelope(1), meshNode: toHex(key) });
    await submitEnvelope(deps, { tag: '010203040506', envelope: envelope(2), meshNode: '0102030405060708' });
    await flush(p);
    expect(sent.sort()).toEqual([['0102030405060708', undefined], [toHex(meshNodeId(suite, key)), toHex(key)]].sort());
  });

  it('refuses other lengths, upper case and a key that is no Ed25519 point with the local API\'s typed error, queuing nothing', async () => {
    const { port: p, sent } = node();
    const deps = { port: p } as unknown as WebRouteDeps;
    const local = envelopeRoutes(p, suite).find((r) => r.method === 'POST' && r.path.test('/v1/envelopes'))!;
    const bad: [string, RegExp][] = [
      ['01020304', /node id \(16 hex digits\) or the node key \(64\)/],
      [toHex(key).toUpperCase(), /lowercase hex/],
      ['00'.repeat(32), /not a valid Ed25519 node key/],
    ];
    for (const [meshNode, message] of bad) {
      const body = { tag: '010203040506', envelope: envelope(3), meshNode };
      for (const submit of [() => submitEnvelope(deps, body), () => local.run({ params: [], query: new URLSearchParams(), body })]) {
        const error = await Promise.resolve().then(submit).then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(LocalApiError);
        expect(error).toMatchObject({ code: 'bad-request', message: expect.stringMatching(message), fields: { field: 'meshNode' } });
      }
    }
    await flush(p);
    expect(sent).toEqual([]);
  });
});
