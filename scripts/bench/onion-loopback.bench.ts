/**
 * Matriochka over real loopback HTTP: three relays as `meow-relay --onion`
 * runs them (startRelay with the onion front, SQLite files, catalogs shared),
 * a mailbox on the third. Figures, each with a baseline from the same run:
 *  - wall-clock latency of a 3-hop onion, send to deposit, with no delays
 *    and with a 500 ms mean per hop, against one direct deposit;
 *  - packets per second the first relay takes through its HTTP door
 *    (peel, hold, answer; 8 in flight), against direct deposits per second.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../../protocol/codec/bytes.ts';
import { generateLookupKeyPair } from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { onionRelaysOf } from '../../protocol/onion/catalog.ts';
import { ONION_CLASSES } from '../../protocol/onion/constants.ts';
import { depositRequestWithPass, packOnion } from '../../protocol/onion/pack.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import { createRelaySuite } from '../../gateway/server/crypto/relay-suite.ts';
import { type RunningRelay, startRelay } from '../../gateway/server/relay.ts';
import { connectRelay } from '../../gateway/client/connect.ts';
import { httpTransport } from '../../gateway/client/http-transport.ts';
import { createOnionForwarder, sendOnionPacket } from '../../gateway/client/onion-forwarder.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import type { Benchmark } from './harness.ts';

const OPEN = { capacity: 1e9, refillPerSecond: 1e9 };

const bench: Benchmark = async ({ report, quick }) => {
  const suite = createRelaySuite(createNodeSuite());
  const random = new SeededRandom('onion-loopback');
  const root = mkdtempSync(join(tmpdir(), 'meow-bench-onion-'));
  const relays: RunningRelay[] = [];
  try {
    for (const name of ['first', 'middle', 'mailbox']) {
      relays.push(await startRelay({
        dataDir: join(root, name), suite, random: new SeededRandom(`bench-${name}`), clock: systemClock, http: { host: '127.0.0.1', port: 0 },
        limits: { depositStampBits: 0, perSource: OPEN, perMailbox: OPEN, perMailboxStamped: OPEN },
        onion: { forwarder: (resolve) => createOnionForwarder({ resolve }) },
      }));
    }
    const [first, , mailbox] = relays as [RunningRelay, RunningRelay, RunningRelay];
    const descriptors = relays.map((r) => r.core.descriptor().bytes);
    for (const r of relays) await r.core.importCatalog(descriptors);
    const catalog = onionRelaysOf(suite, descriptors, Math.floor(Date.now() / 1000));
    const lookup = generateLookupKeyPair(suite, random);
    const passKey = random.bytes(32);
    const client = await connectRelay(mailbox.urls[0] as string, { suite, random, clock: systemClock, timeoutMs: 10_000 });
    await client.register(lookup, passKey);
    const tag = mailboxTagOf(suite, lookup.publicKey);
    const firstDoor = httpTransport(first.urls[0] as string, { timeoutMs: 10_000 });
    let seq = 0;
    const onion = (meanDelayMs: number) => {
      const envelope = new TextEncoder().encode(`onion bench message ${seq++}`);
      return packOnion(suite, random, {
        catalog, trusted: [toHex(first.core.serverId)], mailbox: toHex(mailbox.core.serverId), hops: 3, exclude: new Set(),
        onionClass: ONION_CLASSES.short, depositRequest: depositRequestWithPass(suite, tag, envelope, passKey), meanDelayMs,
      }).packet;
    };

    // Baseline: one direct deposit, sealed to the mailbox relay, over the same kind of door.
    const directRuns = quick ? 5 : 40;
    let t0 = performance.now();
    for (let i = 0; i < directRuns; i++) await client.deposit(tag, new TextEncoder().encode(`direct ${i}`), { passKey });
    const directMs = (performance.now() - t0) / directRuns;
    report({ name: 'onion.loopback.direct-deposit', value: directMs, unit: 'ms per deposit' });

    for (const [meanMs, runs] of [[0, quick ? 5 : 40], [500, quick ? 2 : 8]] as const) {
      let total = 0;
      for (let i = 0; i < runs; i++) {
        const before = mailbox.onion!.counters.delivered;
        const packet = onion(meanMs);
        const start = performance.now();
        await sendOnionPacket(firstDoor, packet);
        while (mailbox.onion!.counters.delivered === before) await new Promise((r) => setTimeout(r, 1));
        total += performance.now() - start;
      }
      const ms = total / runs;
      report({ name: `onion.loopback.latency.3hops.mean${meanMs}ms`, value: ms, unit: 'ms send to deposit', baseline: directMs, baselineName: 'one direct deposit', ratio: ms / directMs });
    }

    // Throughput of the first relay's door: packets taken (peeled, held, answered) per second, 8 in flight.
    const packets = Array.from({ length: quick ? 40 : 400 }, () => onion(0));
    const inFlight = 8;
    t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      const door = httpTransport(first.urls[0] as string, { timeoutMs: 10_000 });
      while (next < packets.length) await sendOnionPacket(door, packets[next++] as Uint8Array);
      await door.close();
    }));
    const peeled = packets.length / ((performance.now() - t0) / 1000);
    let d = 0;
    t0 = performance.now();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (d < packets.length) await client.deposit(tag, new TextEncoder().encode(`rate ${d++}`), { passKey });
    }));
    const deposits = packets.length / ((performance.now() - t0) / 1000);
    report({ name: 'onion.loopback.first-relay-takes', value: peeled, unit: 'packets/s', baseline: deposits, baselineName: 'direct deposits/s, one client', ratio: peeled / deposits });
    await Promise.all(relays.map((r) => r.onion!.drained()));
    await firstDoor.close();
    await client.close();
  } finally {
    await Promise.all(relays.map((r) => r.close()));
    rmSync(root, { recursive: true, force: true });
  }
};

export default bench;
