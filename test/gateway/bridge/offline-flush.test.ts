/**
 * Issue 4's reliability test, over real sockets on loopback: 10,000
 * envelopes queued while the gateway is offline, then 100 connectivity
 * flaps (a proxy that cuts every connection) and a relay restart in the
 * middle of the flush. Every envelope must end up in the relay mailbox
 * exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../protocol/codec/bytes.ts';
import { generateLookupKeyPair } from '../../../protocol/keys/keys.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { mailboxTagOf } from '../../../protocol/server/mailbox.ts';
import { createNodeSuite } from '../../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../../node-runtime/platform/random.ts';
import { openStore } from '../../../node-runtime/store/index.ts';
import { ConnectivityMonitor } from '../../../gateway/bridge/connectivity.ts';
import { InternetOutbox } from '../../../gateway/bridge/internet-outbox.ts';
import { connectRelay } from '../../../gateway/client/connect.ts';
import { relayPort } from '../../../gateway/client/relay-port.ts';
import { type RunningRelay, startRelay } from '../../../gateway/server/relay.ts';
import { CutProxy } from './cut-proxy.ts';
import { waitUntil } from '../../support/wait.ts';

const suite = createNodeSuite();
const root = mkdtempSync(join(tmpdir(), 'meow-offline-flush-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MESSAGES = 10_000;
const FLAPS = 100;
const generous = { capacity: 1_000_000, refillPerSecond: 1_000_000 };

function startTestRelay(port: number): Promise<RunningRelay> {
  return startRelay({
    dataDir: join(root, 'relay'), suite, http: { host: '127.0.0.1', port },
    limits: { depositStampBits: 0, perMailbox: generous, perMailboxStamped: generous, perSource: generous },
    mailbox: { maxMessagesPerMailbox: 20_000, maxBytesPerMailbox: 64 * 1024 * 1024 },
  });
}


describe('gateway flush under connectivity flaps and a relay restart', () => {
  it(`delivers ${MESSAGES} envelopes queued offline exactly once`, async () => {
    let relay = await startTestRelay(0);
    const relayHttpPort = relay.doors[0]!.port;
    const proxy = new CutProxy(relayHttpPort);
    await proxy.start();
    const url = `http://127.0.0.1:${proxy.port}`;
    const random = new SeededRandom('offline-flush');
    const store = openStore({
      path: join(root, 'gateway.db'), clock: systemClock, random,
      outbox: { backoff: { baseMs: 10, factor: 2, maxMs: 200, jitter: 0.5 }, leaseMs: 5_000 },
    });
    const port = relayPort(url, { suite, random: systemRandom, clock: systemClock, stampBits: 0, timeoutMs: 2_000 });
    const bob = generateLookupKeyPair(suite, random);
    await port.register(bob);
    const tag = mailboxTagOf(suite, bob.publicKey);

    proxy.setOnline(false);
    const connectivity = new ConnectivityMonitor({ clock: systemClock, relays: [port], onlineProbeMs: 200, offlineProbeMs: 20 });
    const outbox = new InternetOutbox({
      outbox: store.outbox('gateway'), relays: [port], connectivity, clock: systemClock, suite,
      batchSize: 128, concurrency: 8, retryPollMs: 20, transaction: (fn) => store.batch(fn),
    });
    connectivity.start();
    const sent = new Set<string>();
    store.batch(() => {
      for (let i = 0; i < MESSAGES; i++) {
        const envelope = random.bytes(24 + random.int(200));
        sent.add(toHex(envelope));
        expect(outbox.enqueue(url, tag, envelope)).toBe('added');
      }
    });
    expect(outbox.stats().queued).toBe(MESSAGES);

    // Connectivity returns, then flaps 100 times while the queue drains; the relay restarts half way.
    proxy.setOnline(true);
    await waitUntil(() => outbox.stats().delivered > 200, 60_000);
    for (let flap = 0; flap < FLAPS; flap++) {
      proxy.setOnline(flap % 2 === 1);
      await new Promise((r) => setTimeout(r, 5 + random.int(40)));
      if (flap === FLAPS / 2) {
        await relay.close();
        relay = await startTestRelay(relayHttpPort);
      }
    }
    proxy.setOnline(true);
    await waitUntil(() => outbox.stats().queued === 0, 240_000);
    const stats = outbox.stats();
    expect(stats.refused).toBe(0);
    expect(stats.delivered + stats.duplicates).toBe(MESSAGES);

    // Read the mailbox back straight from the relay: each envelope exactly once, none missing.
    const client = await connectRelay(`http://127.0.0.1:${relayHttpPort}`, { suite, random: systemRandom, clock: systemClock });
    const got = new Map<string, number>();
    let acks: Uint8Array[] = [];
    for (;;) {
      const page = await client.fetch(bob, { limit: 64, acks });
      if (page.messages.length === 0) break;
      for (const m of page.messages) got.set(toHex(m.envelope), (got.get(toHex(m.envelope)) ?? 0) + 1);
      acks = page.messages.map((m) => m.id);
    }
    await client.close();
    expect(got.size).toBe(MESSAGES);
    expect([...got.values()].every((n) => n === 1)).toBe(true);
    expect([...sent].every((e) => got.has(e))).toBe(true);

    connectivity.close();
    await outbox.close();
    await port.close();
    await proxy.close();
    await relay.close();
    store.close();
  }, 300_000);
});
