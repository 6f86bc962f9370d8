/** Registration rules of the mail fetcher and the mesh injector's hourly cap (security review M2, M3, L1). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateLookupKeyPair } from '../../../protocol/keys/keys.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../../node-runtime/platform/clock.ts';
import { openStore, type Store } from '../../../node-runtime/store/index.ts';
import { ConnectivityMonitor } from '../../../gateway/bridge/connectivity.ts';
import { MailFetcher } from '../../../gateway/bridge/mail-fetcher.ts';
import { MeshInjector } from '../../../gateway/bridge/mesh-injector.ts';
import { FakeRelay } from './fake-relay.ts';

const suite = createNodeSuite();
const random = new SeededRandom('mail-fetcher');
const URL_A = 'http://relay-a.example:8470';
let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meow-fetcher-'));
  store = openStore({ path: join(dir, 'gw.db'), clock: systemClock, random });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function fetcher(options: { maxRegistrations?: number; maxRegistrationsPerNode?: number } = {}) {
  const relay = new FakeRelay(URL_A, suite, (k) => k.subarray(0, 8));
  relay.online = false; // registration rules only: no fetching
  const connectivity = new ConnectivityMonitor({ clock: systemClock, relays: [relay] });
  return new MailFetcher({ relays: [relay], connectivity, mailboxes: store.mailboxes, clock: systemClock, suite, ...options });
}

const node = (n: number): Uint8Array => new Uint8Array(8).fill(n);

describe('mail fetcher registrations', () => {
  it('keeps the newest registration of a lookup key and refuses a replayed older one', () => {
    const f = fetcher();
    const lookup = generateLookupKeyPair(suite, random);
    const base = { relayUrl: URL_A, lookup, deliverTo: node(1), expiresAtSec: 2_000_000_000 };
    expect(f.register({ ...base, issuedAtSec: 100 })).toBe('registered');
    expect(f.register({ ...base, issuedAtSec: 200, deliverTo: node(2) })).toBe('registered');
    expect(f.register({ ...base, issuedAtSec: 100 })).toBe('stale');
    expect(f.register({ ...base, issuedAtSec: 200 })).toBe('stale');
    expect(f.destinations()).toEqual([node(2)]);
    expect(f.register({ ...base, relayUrl: 'http://other.example', issuedAtSec: 300 })).toBe('unknown-relay');
  });

  it('caps registrations in total and per destination node', () => {
    const f = fetcher({ maxRegistrations: 3, maxRegistrationsPerNode: 2 });
    const reg = (n: number) => ({ relayUrl: URL_A, lookup: generateLookupKeyPair(suite, random), deliverTo: node(n), issuedAtSec: 1, expiresAtSec: 2_000_000_000 });
    expect(f.register(reg(1))).toBe('registered');
    expect(f.register(reg(1))).toBe('registered');
    expect(f.register(reg(1))).toBe('full');
    expect(f.register(reg(2))).toBe('registered');
    expect(f.register(reg(3))).toBe('full');
    expect(f.stats().registrations).toBe(3);
  });
});

describe('mesh injector', () => {
  it('delivers at most maxPerHourPerNode messages to one node per hour, keeping the rest', async () => {
    const target = node(7);
    for (let i = 0; i < 5; i++) store.mailboxes.deposit(target, new Uint8Array([i, 1, 2, 3]), new Uint8Array([i]));
    const sent: number[] = [];
    const injector = new MeshInjector({
      mailboxes: store.mailboxes, clock: systemClock, destinations: () => [target], maxPerHourPerNode: 3,
      send: async (_node, envelope) => { sent.push(envelope[0]!); },
    });
    await injector.drain(target);
    expect(sent).toEqual([0, 1, 2]);
    expect(store.mailboxes.counts(target).messages).toBe(2);
    expect(injector.stats()).toMatchObject({ injected: 3, rateLimited: 1 });
    await injector.close();
  });
});
