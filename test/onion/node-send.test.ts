/**
 * The node's Matriochka submissions over real loopback relays (startRelay
 * with the onion front, SQLite files) and a real node store: the node picks
 * a chain from its trusted relay's catalog and the envelope lands in the
 * contact's relay mailbox; a dead middle relay shows on the message at the
 * deadline and a new chain without it delivers; the receipt stops the
 * re-sends; no chain at all fails with the reason, never a plain deposit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { generateLookupKeyPair, type LookupKeyPair } from '../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import { createOnionForwarder } from '../../gateway/client/onion-forwarder.ts';
import { connectRelay } from '../../gateway/client/connect.ts';
import { relayPort } from '../../gateway/client/relay-port.ts';
import type { RelayClient } from '../../gateway/client/relay-client.ts';
import { type RunningRelay, startRelay } from '../../gateway/server/relay.ts';
import { createInProcessNodePort, type InProcessNodePort } from '../../apps/meow-node/local-api/node-port.ts';
import { MAX_ONION_SENDS } from '../../apps/meow-node/local-api/onion-attempt.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import type { OnionRoute, SubmissionUpdate } from '../../seams/node-port.ts';
import { suite, waitFor } from './support.ts';

const STAMP_BITS = 6;
const root = mkdtempSync(join(tmpdir(), 'meow-onion-node-'));
const random = new SeededRandom('onion-node');
const relays: Record<string, RunningRelay> = {};
const logs: Record<string, string[]> = {};
let store: Store;
let port: InProcessNodePort;
const updates: SubmissionUpdate[] = [];
let bob: { lookup: LookupKeyPair; tag: Uint8Array; client: RelayClient };

async function relay(name: string): Promise<RunningRelay> {
  logs[name] = [];
  const r = await startRelay({
    log: (event, detail) => void logs[name]!.push(`${event} ${detail}`),
    dataDir: join(root, name), suite, random: new SeededRandom(`node-send-${name}`), clock: systemClock,
    http: { host: '127.0.0.1', port: 0 }, commitWaitMs: 0, limits: { depositStampBits: STAMP_BITS },
    onion: { forwarder: (resolve) => createOnionForwarder({ resolve, timeoutMs: 1000 }) },
  });
  relays[name] = r;
  return r;
}

/** Each of `to` learns the descriptors of `from` (one catalog exchange, by hand). */
async function teach(to: readonly string[], from: readonly string[]): Promise<void> {
  const descriptors = from.map((n) => (relays[n] as RunningRelay).core.descriptor().bytes);
  for (const n of to) await (relays[n] as RunningRelay).core.importCatalog(descriptors);
}

const url = (name: string): string => (relays[name] as RunningRelay).urls[0] as string;
const route = (trusted: readonly string[], receiptWithinMs = 200): OnionRoute => ({ trusted, hops: 3, meanDelayMs: 0, receiptWithinMs });

async function bobHas(text: string): Promise<boolean> {
  const got = await bob.client.fetch(bob.lookup);
  return got.messages.some((m) => new TextDecoder().decode(m.envelope) === text);
}

function updatesFor(receipt: string): SubmissionUpdate[] {
  return updates.filter((u) => u.receiptId === receipt);
}

beforeAll(async () => {
  await Promise.all(['alice-trusted', 'mid-1', 'mid-2', 'bob-relay'].map(relay));
  store = openStore({ path: join(root, 'node.db'), clock: systemClock, random });
  port = createInProcessNodePort({
    nodeId: random.bytes(8), store, suite, clock: systemClock, random, log: createLogger('error', Date.now, () => undefined),
    sendDirect: () => Promise.reject(new Error('no mesh here')),
    relay: (u) => relayPort(u, { suite, random, clock: systemClock, stampBits: STAMP_BITS, timeoutMs: 2000 }),
  });
  port.onState((u) => void updates.push(u));
  const lookup = generateLookupKeyPair(suite, random);
  const client = await connectRelay(url('bob-relay'), { suite, random, clock: systemClock, timeoutMs: 5000 });
  await client.register(lookup);
  bob = { lookup, tag: mailboxTagOf(suite, lookup.publicKey), client };
}, 30_000);

afterAll(async () => {
  port.stop();
  await bob.client.close();
  await Promise.all(Object.values(relays).map((r) => r.close()));
  store.close();
  rmSync(root, { recursive: true, force: true });
});

describe('node: Matriochka submissions', () => {
  it('no chain can be built (the trusted relay does not know the contact\'s relay): failed with the reason, nothing deposited', async () => {
    const receipt = await port.submit({ tag: bob.tag, envelope: utf8('never in clear'), relays: [url('bob-relay')], onion: route([url('alice-trusted')]) });
    await waitFor(() => updatesFor(receipt).some((u) => u.state === 'failed'), 10_000);
    expect(updatesFor(receipt).at(-1)?.failure).toMatch(/^no onion chain: relay http:\/\/127\.0\.0\.1:\d+ cannot build a chain: none of the contact's relays/);
    expect(await bobHas('never in clear')).toBe(false);
    expect(relays['bob-relay']!.onion!.counters.accepted).toBe(0);
  }, 20_000);

  it('delivers through trusted -> middle -> contact\'s relay; the receipt stops any new chain', async () => {
    await teach(['alice-trusted'], ['mid-1', 'mid-2', 'bob-relay']);
    await teach(['mid-1', 'mid-2'], ['bob-relay']);
    const receipt = await port.submit({ tag: bob.tag, envelope: utf8('hello as an onion'), relays: [url('bob-relay')], onion: route([url('alice-trusted')]) });
    await waitFor(() => updatesFor(receipt).some((u) => u.state === 'sent'), 10_000);
    await waitFor(() => bobHas('hello as an onion'), 10_000);
    const forwarded = relays['mid-1']!.onion!.counters.forwarded + relays['mid-2']!.onion!.counters.forwarded;
    expect(forwarded).toBe(1);
    expect(relays['alice-trusted']!.onion!.counters.forwarded).toBe(1);
    port.confirmed!(receipt);
    expect(port.receiptState(receipt)?.state).toBe('sent');
  }, 20_000);

  it('dead middle relays: the deadline passes with no receipt, the message says so, and new chains without them deliver', async () => {
    // Both middles the trusted relay knows are down: the first chain goes through one of them.
    await relays['mid-1']!.close();
    await relays['mid-2']!.close();
    const fresh = await relay('mid-3');
    await teach(['mid-3'], ['bob-relay']);
    const failedBefore = relays['alice-trusted']!.onion!.counters.failed;
    const receipt = await port.submit({ tag: bob.tag, envelope: utf8('through a dead middle'), relays: [url('bob-relay')], onion: route([url('alice-trusted')]) });
    await waitFor(() => updatesFor(receipt).some((u) => u.state === 'sent'), 10_000);
    await waitFor(() => relays['alice-trusted']!.onion!.counters.failed === failedBefore + 1, 10_000);
    expect(logs['alice-trusted']!.at(-1)).toBe('onion-forward-failed RelayTransportError');
    // The trusted relay learns mid-3; the suspects of earlier chains stay out of the next ones.
    await teach(['alice-trusted'], ['mid-3']);
    await waitFor(() => updatesFor(receipt).some((u) => u.state === 'sent' && u.failure !== undefined), 20_000);
    expect(updatesFor(receipt).find((u) => u.failure)?.failure).toBe(
      'no receipt by the deadline: a relay of the chain may be down; sending again through a new chain without its middle relays');
    await waitFor(() => bobHas('through a dead middle'), 30_000);
    expect(fresh.onion!.counters.forwarded).toBe(1);
    // At most two chains: the first through a dead middle, the next through the other dead one or mid-3, then mid-3.
    expect(updatesFor(receipt).filter((u) => u.state === 'sent' && !u.failure).length).toBeLessThanOrEqual(3);
    port.confirmed!(receipt);
    expect(port.receiptState(receipt)?.state).toBe('sent');
  }, 60_000);

  it('stops after a few chains with no receipt, saying so', async () => {
    expect(MAX_ONION_SENDS).toBe(4);
    const receipt = await port.submit({ tag: bob.tag, envelope: utf8('nobody answers'), relays: [url('bob-relay')], onion: route([url('alice-trusted')], 10) });
    await waitFor(() => port.receiptState(receipt)?.state === 'sent', 60_000);
    const sends = updatesFor(receipt).filter((u) => u.state === 'sent' && !u.failure).length;
    expect(sends).toBe(MAX_ONION_SENDS);
    expect(updatesFor(receipt).at(-1)?.failure).toBe(`no receipt after ${MAX_ONION_SENDS} chains: the contact may be offline, or relays drop onions`);
  }, 90_000);
});
