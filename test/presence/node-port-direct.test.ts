/**
 * The node's side of the direct path, on a real in-process node port and
 * SQLite store: an envelope at the direct endpoint is filed only under a
 * watched mailbox, once (again after release: the seen log); a submission
 * with a direct address goes there first, says `via: 'direct'`, and falls
 * back to the relay (`via: 'relay'`, with the reason) when the path fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessNodePort, type InProcessNodePort } from '../../apps/meow-node/local-api/node-port.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import { DirectPathError } from '../../node-runtime/direct/errors.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { decodeEnvelopeFields } from '../../protocol/envelope/clear-fields.ts';
import type { ArrivedEnvelope, SubmissionUpdate } from '../../seams/node-port.ts';
import type { RelayPort } from '../../seams/relay-port.ts';
import { pair } from '../session/helpers.ts';

const suite = createNodeSuite();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setUp(send: (address: string, envelope: Uint8Array) => Promise<unknown>, deposits: Uint8Array[] = [], published: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'meow-node-direct-'));
  const store: Store = openStore({ path: join(dir, 'node.db'), clock: systemClock, random: systemRandom });
  const relay = {
    url: 'http://relay.test', close: async () => undefined, register: async () => undefined, fetch: async () => [],
    publishPresence: async (_l: unknown, blob: Uint8Array, ttlSec: number) => {
      published.push(`${toHex(blob)}/${ttlSec}`);
    },
    deposit: async (_t: Uint8Array, e: Uint8Array) => {
      deposits.push(e);
      return 'stored' as const;
    },
  } as unknown as RelayPort;
  const port: InProcessNodePort = createInProcessNodePort({
    nodeId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), store, suite, clock: systemClock, random: systemRandom, log: createLogger('error', Date.now, () => undefined),
    sendDirect: () => Promise.reject(new Error('no mesh here')), relay: () => relay, fetchEveryMs: 3_600_000,
    direct: { address: () => 'udp://127.0.0.1:6371', send },
  });
  cleanups.push(() => {
    port.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { port, store };
}

async function settled(port: InProcessNodePort, receipt: string): Promise<SubmissionUpdate[]> {
  const seen: SubmissionUpdate[] = [];
  port.onState((u) => {
    if (u.receiptId === receipt) seen.push(u);
  });
  port.pump();
  for (let i = 0; i < 200 && !seen.some((u) => u.state !== 'queued'); i++) await new Promise((r) => setTimeout(r, 10));
  return seen;
}

describe('the node port and the direct path', () => {
  it('publishes a watched mailbox\'s presence in the poll pass, once per blob, and withdraws it when the agent stops handing it', async () => {
    const published: string[] = [];
    const { port } = setUp(() => Promise.resolve('stored'), [], published);
    const box = { tag: new Uint8Array(6).fill(3), lookupSecret: new Uint8Array(32).fill(4), relays: ['http://relay.test'] };
    port.watch([{ ...box, presence: { blob: Uint8Array.of(0x14, 1, 2), ttlSec: 600 } }]);
    await port.fetchNow();
    await port.fetchNow();
    expect(published).toEqual(['140102/600']);
    port.watch([box]);
    await port.fetchNow();
    await port.fetchNow();
    expect(published).toEqual(['140102/600', '/0']);
  });

  it('files a direct envelope only under a watched mailbox, once', async () => {
    const { port } = setUp(() => Promise.resolve('stored'));
    const { alice } = pair('node-direct');
    const envelope = alice.sealText('hi').envelope;
    const fields = decodeEnvelopeFields(envelope);
    if (!fields.ok || fields.value.kind !== 'direct') throw new Error('not a direct envelope');
    const tag = fields.value.mailboxTag;
    expect(port.receiveDirect(envelope)).toBe('unknown-mailbox');
    expect(port.held(tag)).toEqual([]);
    expect(port.receiveDirect(Uint8Array.of(0xff, 1, 2))).toBe('malformed');

    const given: ArrivedEnvelope[] = [];
    port.onEnvelope((a) => {
      given.push(a);
    });
    port.watch([{ tag }]);
    expect(port.receiveDirect(envelope)).toBe('stored');
    expect(port.receiveDirect(envelope)).toBe('duplicate');
    await new Promise((r) => setTimeout(r, 20));
    expect(given.map((a) => toHex(a.envelope))).toEqual([toHex(envelope)]);
    port.release(tag, given[0]!.id);
    expect(port.receiveDirect(envelope)).toBe('duplicate');
    expect(port.held(tag)).toEqual([]);
  });

  it('sends to the direct address first, and falls back to the relay when that fails', async () => {
    const deposits: Uint8Array[] = [];
    const tried: string[] = [];
    let fail = false;
    const { port } = setUp(async (address) => {
      tried.push(address);
      if (fail) throw new DirectPathError('refused', 'nothing listens at the contact\'s direct address');
      return 'stored';
    }, deposits);
    const { alice } = pair('node-direct-send');
    const tag = new Uint8Array(16).fill(7);
    const first = alice.sealText('one').envelope;
    const r1 = await port.submit({ tag, envelope: first, relays: ['http://relay.test'], direct: 'udp://127.0.0.1:7000' });
    expect((await settled(port, r1)).at(-1)).toEqual({ receiptId: r1, state: 'sent', via: 'direct' });
    expect(tried).toEqual(['udp://127.0.0.1:7000']);
    expect(deposits).toEqual([]);

    fail = true;
    const second = alice.sealText('two').envelope;
    const r2 = await port.submit({ tag, envelope: second, relays: ['http://relay.test'], direct: 'udp://127.0.0.1:7000' });
    expect((await settled(port, r2)).at(-1)).toEqual({ receiptId: r2, state: 'deposited', via: 'relay' });
    expect(tried).toEqual(['udp://127.0.0.1:7000', 'udp://127.0.0.1:7000']);
    expect(deposits.map(toHex)).toEqual([toHex(second)]);

    // Without a direct address, the direct path is not tried.
    const third = alice.sealText('three').envelope;
    const r3 = await port.submit({ tag, envelope: third, relays: ['http://relay.test'] });
    expect((await settled(port, r3)).at(-1)).toMatchObject({ state: 'deposited', via: 'relay' });
    expect(tried).toHaveLength(2);
  });
});
