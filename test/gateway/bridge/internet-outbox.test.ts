import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toHex } from '../../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../../node-runtime/platform/clock.ts';
import { openStore, type Store } from '../../../node-runtime/store/index.ts';
import { ConnectivityMonitor } from '../../../gateway/bridge/connectivity.ts';
import { InternetOutbox } from '../../../gateway/bridge/internet-outbox.ts';
import { addressedEnvelopeId } from '../../../protocol/envelope/envelope-id.ts';
import { GATEWAY_OUTBOX_QUEUE } from '../../../seams/store.ts';
import { FakeRelay } from './fake-relay.ts';
import { packV1GatewayRecord, writeV1Store } from '../../store/legacy-v1.ts';
import { waitUntil } from '../../support/wait.ts';

const suite = createNodeSuite();
const URL_A = 'http://relay-a.example:8470';
let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meow-gw-'));
  store = openStore({ path: join(dir, 'gateway.db'), clock: systemClock, random: new SeededRandom('gw'), outbox: { backoff: { baseMs: 5, factor: 2, maxMs: 40, jitter: 0.5 } } });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});


function setup(relay: FakeRelay) {
  const connectivity = new ConnectivityMonitor({ clock: systemClock, relays: [relay], onlineProbeMs: 20, offlineProbeMs: 5 });
  const outbox = new InternetOutbox({ outbox: store.outbox('gateway'), relays: [relay], connectivity, clock: systemClock, suite, batchSize: 50, retryPollMs: 5, transaction: (fn) => store.batch(fn) });
  return { connectivity, outbox };
}

describe('gateway Internet outbox', () => {
  it('keeps envelopes while offline and delivers each exactly once, oldest first, when the relay returns', async () => {
    const relay = new FakeRelay(URL_A, suite, (k) => k.subarray(0, 8));
    relay.online = false;
    const { connectivity, outbox } = setup(relay);
    connectivity.start();
    const tag = new Uint8Array([1, 2, 3, 4]);
    const order: string[] = [];
    for (let i = 0; i < 300; i++) {
      const envelope = new TextEncoder().encode(`message ${i}`);
      expect(outbox.enqueue(URL_A, tag, envelope)).toBe('added');
      order.push(toHex(envelope));
    }
    expect(outbox.enqueue(URL_A, tag, new TextEncoder().encode('message 0'))).toBe('duplicate');
    expect(outbox.stats().queued).toBe(300);
    relay.online = true;
    await waitUntil(() => outbox.stats().queued === 0);
    const stored = [...relay.mailbox(tag).values()].map(toHex);
    expect(stored).toEqual(order); // oldest first, each once
    expect(outbox.stats().delivered).toBe(300);
    connectivity.close();
    await outbox.close();
  });

  it('survives 100 connectivity flaps mid-flush and loses nothing, duplicates nothing', async () => {
    const relay = new FakeRelay(URL_A, suite, (k) => k.subarray(0, 8));
    const { connectivity, outbox } = setup(relay);
    relay.online = false;
    connectivity.start();
    const tag = new Uint8Array([9, 9, 9, 9]);
    const random = new SeededRandom('flaps');
    store.batch(() => {
      for (let i = 0; i < 2000; i++) outbox.enqueue(URL_A, tag, random.bytes(20 + random.int(100)));
    });
    for (let flap = 0; flap < 100; flap++) {
      relay.online = !relay.online;
      await new Promise((r) => setTimeout(r, 1 + random.int(6)));
    }
    relay.online = true;
    await waitUntil(() => outbox.stats().queued === 0);
    expect(relay.mailbox(tag).size).toBe(2000);
    expect(outbox.stats().delivered + outbox.stats().duplicates).toBe(2000);
    connectivity.close();
    await outbox.close();
  });

  it('keeps an envelope the relay refused and offers it again later (a refusal may be forged)', async () => {
    const relay = new FakeRelay(URL_A, suite, (k) => k.subarray(0, 8));
    relay.refuse = 'wrong-server';
    const connectivity = new ConnectivityMonitor({ clock: systemClock, relays: [relay], onlineProbeMs: 20, offlineProbeMs: 5 });
    const outbox = new InternetOutbox({
      outbox: store.outbox('gateway'), relays: [relay], connectivity, clock: systemClock, suite, retryPollMs: 5, refusedRetryMs: 50,
    });
    connectivity.start();
    const tag = new Uint8Array([5, 5, 5, 5]);
    outbox.enqueue(URL_A, tag, new Uint8Array([1, 2, 3]));
    await waitUntil(() => outbox.stats().refused >= 1);
    expect(outbox.stats().queued).toBe(1);
    relay.refuse = undefined;
    await waitUntil(() => outbox.stats().queued === 0);
    expect(relay.mailbox(tag).size).toBe(1);
    connectivity.close();
    await outbox.close();
  });

  it('refuses a relay it was not configured with', () => {
    const relay = new FakeRelay(URL_A, suite, (k) => k);
    const { outbox } = setup(relay);
    expect(() => outbox.enqueue('http://other.example', new Uint8Array(4), new Uint8Array(1))).toThrow(RangeError);
  });

  it('delivers what a version-1 gateway queued in its packed records, after the schema migration, and drops a damaged one', async () => {
    const path = join(dir, 'v1-gateway.db');
    const tag = new Uint8Array([7, 7, 7, 7, 7, 7, 7, 7]);
    const envelopes = [new Uint8Array([0x11, 1, 2]), new Uint8Array([0x11, 3, 4, 5])];
    writeV1Store(path, [
      ...envelopes.map((envelope) => ({
        queue: GATEWAY_OUTBOX_QUEUE, id: addressedEnvelopeId(suite, tag, envelope), destination: URL_A, bytes: packV1GatewayRecord(tag, envelope),
      })),
      { queue: GATEWAY_OUTBOX_QUEUE, id: new Uint8Array([0xdd]), destination: URL_A, bytes: new Uint8Array([99, 1]) },
    ]);
    const old = openStore({ path, clock: systemClock, random: new SeededRandom('gw-v1') });
    try {
      const relay = new FakeRelay(URL_A, suite, (k) => k);
      const connectivity = new ConnectivityMonitor({ clock: systemClock, relays: [relay], onlineProbeMs: 20, offlineProbeMs: 5 });
      const events: string[] = [];
      const outbox = new InternetOutbox({
        outbox: old.outbox(GATEWAY_OUTBOX_QUEUE), relays: [relay], connectivity, clock: systemClock, suite, retryPollMs: 5,
        log: (event) => events.push(event),
      });
      // The same deposit queued again is the row already there: ids are unchanged by the migration.
      expect(outbox.enqueue(URL_A, tag, envelopes[0]!)).toBe('duplicate');
      connectivity.start();
      await waitUntil(() => outbox.stats().queued === 0);
      expect([...relay.mailbox(tag).values()].map(toHex)).toEqual(envelopes.map(toHex));
      expect(relay.deposits).toBe(2);
      expect(events).toEqual(['gateway.outbox.corrupt']);
      connectivity.close();
      await outbox.close();
    } finally {
      old.close();
    }
  });
});
