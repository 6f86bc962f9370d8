/**
 * The onion front as `startRelay` and `meow-relay --onion` run it: every
 * door takes onion packets, the relay's own descriptor (in its descriptor
 * answer and in every catalog answer) carries the onion key, catalog
 * exchanges spread it, and next hops are found in the relay's catalog.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { generateLookupKeyPair } from '../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import { ONION_CLASSES } from '../../protocol/onion/constants.ts';
import { onionRelaysOf } from '../../protocol/onion/catalog.ts';
import { depositRequestWithPass, packOnion } from '../../protocol/onion/pack.ts';
import { createOnionForwarder, sendOnionPacket } from '../../gateway/client/onion-forwarder.ts';
import { httpTransport } from '../../gateway/client/http-transport.ts';
import { connectRelay } from '../../gateway/client/connect.ts';
import { type RunningRelay, startRelay } from '../../gateway/server/relay.ts';
import { relayOptionsFromArgs } from '../../apps/meow-relay/main.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { suite, waitFor } from './support.ts';

const random = new SeededRandom('start-relay-onion');
const root = mkdtempSync(join(tmpdir(), 'meow-onion-start-'));
let relays: RunningRelay[] = [];
const DAY = 86_400_000;
const idOf = (r: RunningRelay) => toHex(r.core.serverId);

beforeAll(async () => {
  relays = await Promise.all(['a', 'b', 'c', 'd'].map((name) => startRelay({
    dataDir: join(root, name), suite, random: new SeededRandom(`start-relay-${name}`), clock: systemClock,
    http: { host: '127.0.0.1', port: 0 }, commitWaitMs: 0, limits: { depositStampBits: 0 },
    onion: { forwarder: (resolve) => createOnionForwarder({ resolve, timeoutMs: 2000 }) },
  })));
  // One catalog exchange round by hand: each relay learns every other's descriptor as its core serves it.
  const descriptors = relays.map((r) => r.core.descriptor().bytes);
  for (const r of relays) await r.core.importCatalog(descriptors);
}, 30_000);

afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
  rmSync(root, { recursive: true, force: true });
});

describe('startRelay with the onion front', () => {
  it('announces its onion key in its descriptor and in catalog answers, and the doors drive the front', async () => {
    const a = relays[0] as RunningRelay;
    expect(a.onion).toBeDefined();
    expect(a.doors.length).toBe(1);
    const own = a.core.descriptor();
    expect(toHex(own.onion?.key ?? new Uint8Array())).toBe(toHex(a.onion!.keys.announcement().key));
    const client = await connectRelay(a.urls[0] as string, { suite, random, clock: systemClock, timeoutMs: 5000 });
    try {
      const listed = await client.catalog();
      const catalog = onionRelaysOf(suite, listed.map((d) => d.bytes), Math.floor(Date.now() / 1000));
      expect(catalog.map((r) => r.id).sort()).toEqual(relays.map(idOf).sort());
      for (const r of relays) {
        const info = catalog.find((c) => c.id === idOf(r));
        expect(toHex(info!.onionKey)).toBe(toHex(r.onion!.keys.announcement().key));
        expect(info!.urls).toEqual(r.urls);
      }
    } finally {
      await client.close();
    }
  }, 20_000);

  it('delivers a 4-hop onion sent to the first relay, each next hop found in the relay\'s own catalog', async () => {
    const [a, , , d] = relays as [RunningRelay, RunningRelay, RunningRelay, RunningRelay];
    const viaA = await connectRelay(a.urls[0] as string, { suite, random, clock: systemClock, timeoutMs: 5000 });
    const catalog = onionRelaysOf(suite, (await viaA.catalog()).map((x) => x.bytes), Math.floor(Date.now() / 1000));
    await viaA.close();
    const lookup = generateLookupKeyPair(suite, random);
    const passKey = random.bytes(32);
    const client = await connectRelay(d.urls[0] as string, { suite, random, clock: systemClock, timeoutMs: 5000 });
    await client.register(lookup, passKey);
    const tag = mailboxTagOf(suite, lookup.publicKey);
    const packed = packOnion(suite, random, {
      catalog, trusted: [idOf(a)], mailbox: idOf(d), hops: 4, onionClass: ONION_CLASSES.short,
      depositRequest: depositRequestWithPass(suite, tag, utf8('through four relays'), passKey), meanDelayMs: 20,
    });
    expect(packed.chain.map((r) => r.id).sort()).toEqual(relays.map(idOf).sort());
    const t = httpTransport(a.urls[0] as string, { timeoutMs: 2000 });
    await sendOnionPacket(t, packed.packet);
    await t.close();
    await waitFor(() => d.onion!.counters.delivered === 1, 10_000);
    const got = await client.fetch(lookup);
    expect(got.messages.map((m) => new TextDecoder().decode(m.envelope))).toEqual(['through four relays']);
    await client.close();
    expect(relays.reduce((n, r) => n + r.onion!.counters.forwarded, 0)).toBe(3);
  }, 30_000);
});

describe('cover traffic', () => {
  it('sends loops through random relays of its catalog back to itself, dropped there, never deposited', async () => {
    const cover = await startRelay({
      dataDir: join(root, 'cover'), suite, random: new SeededRandom('cover'), clock: systemClock, http: { host: '127.0.0.1', port: 0 },
      onion: { forwarder: (resolve) => createOnionForwarder({ resolve, timeoutMs: 2000 }), cover: { perMinute: 1200, meanDelayMs: 0 } },
    });
    try {
      const everyone = [...relays, cover];
      const descriptors = everyone.map((r) => r.core.descriptor().bytes);
      for (const r of everyone) await r.core.importCatalog(descriptors);
      const delivered = relays.map((r) => r.onion!.counters.delivered);
      await waitFor(() => cover.onion!.counters.coverEnded >= 3, 20_000);
      expect(cover.onionCover!.counters.sent).toBeGreaterThanOrEqual(cover.onion!.counters.coverEnded);
      // The loops went through the others as packets like any other, and none was deposited anywhere.
      expect(relays.reduce((n, r) => n + r.onion!.counters.forwarded, 0)).toBeGreaterThanOrEqual(3 * 2);
      expect(relays.map((r) => r.onion!.counters.delivered)).toEqual(delivered);
      expect(relays.reduce((n, r) => n + r.onion!.counters.failed, 0)).toBe(0);
    } finally {
      await cover.close();
    }
  }, 30_000);
});

describe('onion key rotation in the relay core\'s descriptor', () => {
  it('signs the new key in when the period ends, issued later so that catalogs take it, the old key still peeling', async () => {
    const clock = new SimClock({ startMs: 1_800_000_000_000 });
    const r = await startRelay({
      dataDir: join(root, 'rot'), suite, random: new SeededRandom('rot'), clock, http: false, housekeepingMs: 10 * DAY,
      onion: { forwarder: () => ({ forward: () => Promise.resolve(), close: () => Promise.resolve() }) },
    });
    try {
      const first = r.core.descriptor();
      expect(first.onion?.validUntilSec).toBe(Math.floor((clock.now() + DAY) / 1000));
      await clock.advance(DAY);
      const second = r.core.descriptor();
      expect(toHex(second.onion!.key)).not.toBe(toHex(first.onion!.key));
      expect(second.issuedSec).toBeGreaterThan(first.issuedSec);
      expect(toHex((await r.core.catalogBytes())[0] as Uint8Array)).toBe(toHex(second.bytes));
      // The grace period: both keys peel, the first one for one more day only.
      expect(r.onion!.keys.candidates(clock.now()).map((k) => toHex(k.publicKey))).toEqual([toHex(second.onion!.key), toHex(first.onion!.key)]);
      await clock.advance(DAY);
      expect(r.onion!.keys.candidates(clock.now()).map((k) => toHex(k.publicKey))).not.toContain(toHex(first.onion!.key));
    } finally {
      await r.close();
    }
  });
});

describe('meow-relay --onion', () => {
  it('turns the front on from the flag or the config file, and refuses a non-boolean', () => {
    const on = relayOptionsFromArgs(['--onion', '--data', join(root, 'x')], {});
    expect(on !== 'help' && typeof on.onion?.forwarder).toBe('function');
    const off = relayOptionsFromArgs(['--data', join(root, 'x')], {});
    expect(off !== 'help' && off.onion).toBeUndefined();
    const file = join(root, 'relay.json');
    writeFileSync(file, JSON.stringify({ onion: true }));
    const fromFile = relayOptionsFromArgs(['--config', file, '--data', join(root, 'x')], {});
    expect(fromFile !== 'help' && typeof fromFile.onion?.forwarder).toBe('function');
    writeFileSync(file, JSON.stringify({ onion: 'yes' }));
    expect(() => relayOptionsFromArgs(['--config', file], {})).toThrow('onion must be true or false, got yes');
    expect(() => relayOptionsFromArgs(['--onion-cover-per-minute', '5'], {})).toThrow('--onion-cover-per-minute needs --onion');
    expect(() => relayOptionsFromArgs(['--onion', '--onion-cover-per-minute', 'lots'], {})).toThrow('must be a number 0-600, got lots');
    const covered = relayOptionsFromArgs(['--onion', '--onion-cover-per-minute', '6', '--data', join(root, 'x')], {});
    expect(covered !== 'help' && covered.onion?.cover).toEqual({ perMinute: 6 });
  });
});
