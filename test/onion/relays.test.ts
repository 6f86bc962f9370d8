/**
 * Matriochka over real loopback sockets: five in-process relays (a is the
 * user's trusted first hop, d holds the contact's mailbox, b c e are drawn
 * at random), each behind its onion front and its HTTP door.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { generateLookupKeyPair, type LookupKeyPair } from '../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import { ONION_CLASSES, onionPacketBytes } from '../../protocol/onion/constants.ts';
import { onionRelaysOf, type OnionRelayInfo } from '../../protocol/onion/catalog.ts';
import { depositRequestWithPass, packOnion } from '../../protocol/onion/pack.ts';
import { sendOnionPacket } from '../../gateway/client/onion-forwarder.ts';
import { httpTransport } from '../../gateway/client/http-transport.ts';
import { connectRelay } from '../../gateway/client/connect.ts';
import type { RelayClient } from '../../gateway/client/relay-client.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { type OnionTestRelay, shareCatalogs, startOnionRelay, storedBytes, suite, waitFor } from './support.ts';

const SHORT = ONION_CLASSES.short;
const random = new SeededRandom('onion-sender');
let relays: Record<'a' | 'b' | 'c' | 'd' | 'e', OnionTestRelay>;
let all: OnionTestRelay[];
let catalog: OnionRelayInfo[];
let contact: { lookup: LookupKeyPair; passKey: Uint8Array; tag: Uint8Array; client: RelayClient };

async function send(packet: Uint8Array, url: string): Promise<void> {
  const t = httpTransport(url, { timeoutMs: 2000 });
  try {
    await sendOnionPacket(t, packet);
  } finally {
    await t.close();
  }
}

function pack(text: string, hops: number, exclude?: ReadonlySet<string>) {
  const deposit = depositRequestWithPass(suite, contact.tag, utf8(text), contact.passKey);
  return packOnion(suite, random, {
    catalog, trusted: [relays.a.id], mailbox: relays.d.id, hops, onionClass: SHORT, depositRequest: deposit, meanDelayMs: 0,
    ...(exclude ? { exclude } : {}),
  });
}

async function mailbox(): Promise<string[]> {
  const got = await contact.client.fetch(contact.lookup);
  return got.messages.map((m) => new TextDecoder().decode(m.envelope));
}

beforeAll(async () => {
  const byId = new Map<string, OnionTestRelay>();
  const resolve = (id: string) => Promise.resolve(byId.get(id) ? [(byId.get(id) as OnionTestRelay).url] : []);
  const started = await Promise.all((['a', 'b', 'c', 'd', 'e'] as const).map((n) => startOnionRelay(n, resolve)));
  all = started;
  relays = { a: started[0]!, b: started[1]!, c: started[2]!, d: started[3]!, e: started[4]! };
  for (const r of started) byId.set(r.id, r);
  await shareCatalogs(started);
  // The sender learns the catalog from its trusted relay, over the wire.
  const viaA = await connectRelay(relays.a.url, { suite, random, clock: systemClock, timeoutMs: 5000 });
  // Its own entry there (first) is the core's descriptor, which carries the onion front's key.
  catalog = onionRelaysOf(suite, (await viaA.catalog()).map((d) => d.bytes), Math.floor(Date.now() / 1000));
  await viaA.close();
  const lookup = generateLookupKeyPair(suite, random);
  const passKey = random.bytes(32);
  const client = await connectRelay(relays.d.url, { suite, random, clock: systemClock, timeoutMs: 5000 });
  await client.register(lookup, passKey);
  contact = { lookup, passKey, tag: mailboxTagOf(suite, lookup.publicKey), client };
}, 30_000);

afterAll(async () => {
  await Promise.all(all.map((r) => r.close()));
});

describe('Matriochka over loopback relays', () => {
  it('delivers for every hop count 1..5, each packet on the wire the same size, neighbours only in logs and stores', async () => {
    expect(catalog.map((r) => r.id).sort()).toEqual(all.map((r) => r.id).sort());
    const firstPackets: number[] = [];
    for (let hops = 1; hops <= 5; hops++) {
      const before = relays.d.onion.counters.delivered;
      const { packet, chain } = pack(`hello over ${hops} hops`, hops);
      expect(chain.map((r) => r.id)[0]).toBe(hops === 1 ? relays.d.id : relays.a.id);
      expect(chain.at(-1)?.id).toBe(relays.d.id);
      firstPackets.push(packet.length);
      await send(packet, (chain[0] as OnionRelayInfo).urls[0] as string);
      await waitFor(() => relays.d.onion.counters.delivered === before + 1);
    }
    expect((await mailbox()).sort()).toEqual([1, 2, 3, 4, 5].map((n) => `hello over ${n} hops`).sort());
    const wireSizes = new Set([...firstPackets, ...all.flatMap((r) => r.sent.map((p) => p.length))]);
    expect([...wireSizes]).toEqual([onionPacketBytes(SHORT)]);
    expect(all.flatMap((r) => r.sent).length).toBe(0 + 1 + 2 + 3 + 4);
    // Logs: no failure, and no relay id, tag or key in any line.
    for (const r of all) {
      for (const line of r.logs) {
        expect(line).not.toMatch(/onion-/);
        for (const other of all) expect(line).not.toContain(other.id);
      }
    }
    // Stores: only the mailbox relay holds the tag and the messages.
    const tag = Buffer.from(contact.tag);
    for (const r of all) {
      const bytes = storedBytes(r);
      expect(bytes.includes(tag), `${r.name} holds the tag`).toBe(r === relays.d);
      expect(bytes.includes(Buffer.from('hello over 3 hops')), `${r.name} holds the message`).toBe(r === relays.d);
    }
  }, 30_000);

  it('refuses a replayed packet at the first hop and a replayed forwarded packet at the next', async () => {
    const before = relays.d.onion.counters.delivered;
    const { packet, chain } = pack('once only', 3);
    const sentByA = relays.a.sent.length;
    await send(packet, relays.a.url);
    await waitFor(() => relays.d.onion.counters.delivered === before + 1);
    await expect(send(packet, relays.a.url)).rejects.toMatchObject({ name: 'RelayError', code: 'replayed' });
    const forwarded = relays.a.sent[sentByA] as Uint8Array;
    const middle = all.find((r) => r.id === chain[1]?.id) as OnionTestRelay;
    await expect(send(forwarded, middle.url)).rejects.toMatchObject({ code: 'replayed' });
    // A packet for b sent to c does not open there.
    const other = all.find((r) => r !== middle && r !== relays.a && r !== relays.d) as OnionTestRelay;
    await expect(send(forwarded, other.url)).rejects.toMatchObject({ code: 'bad-seal' });
    expect(relays.d.onion.counters.delivered).toBe(before + 1);
  }, 20_000);

  it('a relay down in the chain: nothing arrives by the deadline, the sender builds a new chain without it, delivered', async () => {
    await relays.c.stopDoors();
    // The first hop down: the sender sees it at once.
    const direct = pack('to a dead first hop', 2);
    await expect(send(direct.packet, relays.c.url)).rejects.toMatchObject({ name: 'RelayTransportError' });
    // A middle hop down: the first hop takes the packet, then cannot hand it on.
    const onlyC = new Set([relays.b.id, relays.e.id]);
    const first = pack('through a dead middle', 3, onlyC);
    expect(first.chain.map((r) => r.id)).toEqual([relays.a.id, relays.c.id, relays.d.id]);
    const failedBefore = relays.a.onion.counters.failed;
    await send(first.packet, relays.a.url);
    await waitFor(() => relays.a.onion.counters.failed === failedBefore + 1);
    // The sender's view: no delivery by the deadline (sum of delays plus slack).
    await new Promise((r) => setTimeout(r, first.totalDelayMs + 200));
    expect(await mailbox()).not.toContain('through a dead middle');
    expect(relays.a.logs.at(-1)).toBe('onion-forward-failed RelayTransportError');
    const retry = pack('through a dead middle', 3, new Set(first.chain.slice(1, -1).map((r) => r.id)));
    expect(retry.chain.map((r) => r.id)).not.toContain(relays.c.id);
    await send(retry.packet, relays.a.url);
    await waitFor(async () => (await mailbox()).includes('through a dead middle'));
  }, 20_000);
});

