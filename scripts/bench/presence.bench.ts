/**
 * presence.direct.latency: one sealed envelope from my node to my contact's
 * node over the direct path (node-runtime/direct: a UDP datagram, filed in
 * the contact's SQLite mailbox store on disk, answered), median of N, on
 * loopback;
 * baseline, measured in the same run: the same envelope through a relay on
 * loopback (HTTP door, in this process): deposited by me, then fetched by
 * the contact and filed in its store, then acknowledged by the next fetch:
 * the three request round trips of a message through a relay, as the
 * node's poll pass (apps/meow-node/local-api/relay-fetch.ts) makes them.
 *
 * The relay figure leaves out the wait for the contact's next poll (10 s
 * by default, DEFAULT_RELAY_FETCH_MS): in use, the direct path saves that
 * wait as well, which no loopback figure shows. Both sides run in this one
 * process, so the figures are of the protocol and the stores, not of a
 * network.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { envelopeId } from '../../protocol/envelope/envelope-id.ts';
import { decodeEnvelopeFields } from '../../protocol/envelope/clear-fields.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import { createSessionPair } from '../../protocol/session/pair.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { openStore } from '../../node-runtime/store/index.ts';
import { startDirectEndpoint } from '../../node-runtime/direct/endpoint.ts';
import { sendDirectEnvelope } from '../../node-runtime/direct/sender.ts';
import { createRelaySuite } from '../../gateway/server/crypto/relay-suite.ts';
import { startRelay } from '../../gateway/server/relay.ts';
import { connectRelay } from '../../gateway/client/connect.ts';
import type { Benchmark } from './harness.ts';
import { withBaseline } from './harness.ts';

const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const bench: Benchmark = async (ctx) => {
  const rounds = ctx.quick ? 30 : 300;
  const dir = mkdtempSync(join(tmpdir(), 'meow-presence-bench-'));
  const suite = createNodeSuite();
  const random = new SeededRandom('presence-bench');
  const { alice, bob } = createSessionPair(createPortableSuite(), random);
  const store = openStore({ path: join(dir, 'bob.db'), clock: systemClock, random });
  const endpoint = await startDirectEndpoint({
    suite, clock: systemClock, log,
    accept: (envelope) => {
      const fields = decodeEnvelopeFields(envelope);
      if (!fields.ok || fields.value.kind !== 'direct') return 'malformed';
      const outcome = store.mailboxes.deposit(fields.value.mailboxTag, envelopeId(suite, envelope), envelope);
      return outcome === 'expired' ? 'malformed' : outcome;
    },
  }, { host: '127.0.0.1', port: 0, perSourcePerSecond: 1e9, burst: 1e9, maxSources: 16 });
  const relay = await startRelay({
    dataDir: join(dir, 'relay'), suite: createRelaySuite(suite), random, clock: systemClock, http: { port: 0 },
    limits: { depositStampBits: 0, perSource: { capacity: 1e12, refillPerSecond: 1e12 }, perMailbox: { capacity: 1e12, refillPerSecond: 1e12 }, perMailboxStamped: { capacity: 1e12, refillPerSecond: 1e12 } },
  });
  try {
    const options = { suite, random, clock: systemClock, timeoutMs: 10_000 };
    const sender = await connectRelay(relay.urls[0]!, options);
    const receiver = await connectRelay(relay.urls[0]!, options);
    const lookup = bob.mailboxes(systemClock.now())[0]!.lookup;
    await receiver.register(lookup);
    const relayTag = mailboxTagOf(suite, lookup.publicKey);
    const address = `udp://127.0.0.1:${endpoint.port}`;
    const direct: number[] = [];
    const viaRelay: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // Alternate the two paths so that load on the machine falls on both alike.
      const a = alice.sealText(`direct ${i}`).envelope;
      let t = performance.now();
      await sendDirectEnvelope({ suite, clock: systemClock }, address, a);
      direct.push(performance.now() - t);
      const b = alice.sealText(`relay ${i}`).envelope;
      t = performance.now();
      await sender.deposit(relayTag, b);
      const got = await receiver.fetch(lookup);
      for (const m of got.messages) {
        const fields = decodeEnvelopeFields(m.envelope);
        if (fields.ok && fields.value.kind === 'direct') store.mailboxes.deposit(fields.value.mailboxTag, envelopeId(suite, m.envelope), m.envelope);
      }
      // The node's poll acknowledges in the next fetch (relay-fetch.ts): counted, as it is part of the pass.
      await receiver.fetch(lookup, { acks: got.messages.map((m) => m.id) });
      viaRelay.push(performance.now() - t);
    }
    await sender.close();
    await receiver.close();
    ctx.report(withBaseline('presence.direct.latency', median(direct), 'ms', median(viaRelay), 'relay deposit + fetch + ack on loopback (poll wait excluded)'));
  } finally {
    await endpoint.close();
    await relay.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
