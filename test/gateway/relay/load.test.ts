/**
 * Load (issue 4): 1,000 concurrent clients, each with its own connection,
 * deposit and fetch through the HTTP door at once; the relay keeps
 * answering and loses nothing (every message fetched exactly once).
 */
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../../protocol/codec/bytes.ts';
import { generateLookupKeyPair } from '../../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../../protocol/server/mailbox.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { clientOptions, startTestRelay, suite } from './support.ts';
import { RelayClient } from '../../../gateway/client/relay-client.ts';
import { openTransport } from '../../../gateway/client/connect.ts';

const CLIENTS = 1000;
const MESSAGES_PER_CLIENT = 2;

describe('relay under load (HTTP door)', () => {
  it(`serves ${CLIENTS} concurrent clients depositing and fetching, losing nothing`, async () => {
    // 1,000 clients from one loopback address stand for 1,000 hosts: the per-source cap is lifted.
    const relay = await startTestRelay('load', {
      limits: { depositStampBits: 0 }, http: { connections: { maxConnections: 2048, maxConnectionsPerSource: 2048 } },
    });
    const url = relay.urls[0]!;
    try {
      const rnd = new SeededRandom('load');
      const users = Array.from({ length: CLIENTS }, () => generateLookupKeyPair(suite, rnd));
      const t0 = performance.now();
      // The relay key is pinned (as from a rendez-vous card): no descriptor round trip per client.
      const clients = await Promise.all(users.map(async (_, i) => new RelayClient({
        ...clientOptions(`load-${i}`), server: relay.key.publicKey, transport: await openTransport(url, clientOptions(`load-${i}`, { maxSockets: 1, timeoutMs: 90_000 })),
      })));
      await Promise.all(clients.map((c, i) => c.register(users[i]!)));

      console.log(`connected+registered ${CLIENTS} clients in ${Math.round(performance.now() - t0)} ms`);
      const sent = new Map<string, number>();
      // Every client deposits to three others and fetches its own mailbox, all at once.
      const received = new Map<string, number>();
      const record = (messages: readonly { envelope: Uint8Array }[]): void => {
        for (const m of messages) {
          const k = toHex(m.envelope);
          received.set(k, (received.get(k) ?? 0) + 1);
        }
      };
      await Promise.all(clients.map(async (c, i) => {
        for (let k = 1; k <= MESSAGES_PER_CLIENT; k++) {
          const to = (i + k * 7) % CLIENTS;
          const envelope = utf8(`from ${i} to ${to} #${k}`);
          sent.set(toHex(envelope), to);
          const r = await c.deposit(mailboxTagOf(suite, users[to]!.publicKey), envelope);
          expect(r.duplicate).toBe(false);
        }
      }));
      console.log(`deposits done at ${Math.round(performance.now() - t0)} ms`);
      // Drain with acknowledgements, concurrently.
      await Promise.all(clients.map(async (c, i) => {
        let acks: Uint8Array[] = [];
        for (;;) {
          const page = await c.fetch(users[i]!, { acks, limit: 64 });
          record(page.messages);
          acks = page.messages.map((m) => m.id);
          if (page.messages.length === 0) break;
        }
      }));
      console.log(`drained at ${Math.round(performance.now() - t0)} ms`);
      expect(received.size).toBe(CLIENTS * MESSAGES_PER_CLIENT);
      for (const [k, n] of received) {
        expect(n, `message ${k} delivered ${n} times`).toBe(1);
        expect(sent.has(k)).toBe(true);
      }
      expect(relay.core.counters.internalErrors).toBe(0);
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      await relay.cleanup();
    }
  }, 180_000);
});
