/**
 * The node's relay fetch (apps/meow-node/local-api/relay-fetch.ts) against a
 * relay port that records what it is asked, on a real SQLite store: the
 * mailbox is registered before the first fetch, an envelope is on disk and
 * handed to the agent before the relay is told to delete it, a crash
 * between the two only brings a duplicate that is dropped, and an
 * unreachable relay is reported with its reason (no credentials).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRelayFetcher } from '../../apps/meow-node/local-api/relay-fetch.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { openStore } from '../../node-runtime/store/index.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { envelopeId } from '../../protocol/envelope/envelope-id.ts';
import { generateLookupKeyPair, type LookupKeyPair } from '../../protocol/keys/keys.ts';
import { mailboxTag } from '../../protocol/session/key-schedule.ts';
import { type FetchedMessage, type RelayPort, RelayUnreachableError } from '../../seams/relay-port.ts';

const suite = createNodeSuite();
const dir = mkdtempSync(join(tmpdir(), 'meow-relay-fetch-'));
const store = openStore({ path: join(dir, 'node.db'), clock: systemClock, random: systemRandom });
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A relay mailbox in memory: fetch returns what is left, acks delete. */
function fakeRelay(url: string, waiting: FetchedMessage[], log: string[]): RelayPort & { down: boolean } {
  return {
    url, down: false,
    probe: () => Promise.resolve(true),
    deposit: () => Promise.resolve('stored'),
    register(lookup: LookupKeyPair) {
      log.push(`register ${toHex(lookup.publicKey).slice(0, 8)}`);
      return Promise.resolve();
    },
    fetch(_lookup, acks) {
      if (this.down) return Promise.reject(new RelayUnreachableError('connect ECONNREFUSED'));
      for (const ack of acks) {
        const i = waiting.findIndex((m) => toHex(m.id) === toHex(ack));
        if (i >= 0) waiting.splice(i, 1);
      }
      log.push(`fetch acks=${acks.length} gives=${waiting.length}`);
      return Promise.resolve(waiting.map((m) => ({ id: m.id, envelope: m.envelope })));
    },
    close: () => Promise.resolve(),
  };
}

describe('relay fetch', () => {
  const lookup = generateLookupKeyPair(suite, systemRandom);
  const tag = mailboxTag(suite, lookup.publicKey);
  const box = { tag, lookupSecret: lookup.secretKey, relays: ['http://user:secret@relay.test'] };
  const envelopes = ['one', 'two'].map((t) => new TextEncoder().encode(`envelope ${t}`));

  it('registers, stores and hands over each envelope before acknowledging it, and a redelivery after a crash is dropped', async () => {
    const log: string[] = [];
    const waiting = envelopes.map((e, i) => ({ id: Uint8Array.of(i + 1), envelope: e }));
    const relay = fakeRelay(box.relays[0]!, waiting, log);
    const given: string[] = [];
    const make = () => createRelayFetcher({
      store, suite, clock: systemClock, log: createLogger('error', Date.now, () => undefined), relayFor: () => relay,
      stored: (t, id, envelope) => {
        // Handed over only once it is on disk, and still unacknowledged on the relay.
        expect(store.mailboxes.list(t, { limit: 10 }).some((m) => toHex(m.id) === toHex(id))).toBe(true);
        expect(waiting.some((m) => toHex(m.envelope) === toHex(envelope))).toBe(true);
        given.push(new TextDecoder().decode(envelope));
      },
    });

    // A node that dies right after storing: its acks never reach the relay.
    relay.fetch = ((original) => function (this: typeof relay, l: LookupKeyPair, acks: readonly Uint8Array[]) {
      if (acks.length > 0 && log.length === 2) return Promise.reject(new RelayUnreachableError('killed'));
      return original.call(this, l, acks);
    })(relay.fetch);
    expect(await make().fetchAll([box])).toBe(2);
    expect(waiting).toHaveLength(2);
    expect(log.slice(0, 2)).toEqual([expect.stringMatching(/^register /), 'fetch acks=0 gives=2']);

    // After the restart: the relay gives both again; they are known on disk, not handed over twice, and acknowledged.
    const restarted = make();
    expect(await restarted.fetchAll([box])).toBe(0);
    expect(given).toEqual(['envelope one', 'envelope two']);
    expect(waiting).toHaveLength(0);
    expect(store.mailboxes.list(tag, { limit: 10 }).map((m) => toHex(m.id)).sort()).toEqual(envelopes.map((e) => toHex(envelopeId(suite, e))).sort());
    expect(restarted.status()).toEqual([expect.objectContaining({ url: 'http://relay.test/', reachable: true })]);
  });

  it('reports an unreachable relay with its reason, without its credentials', async () => {
    const relay = fakeRelay(box.relays[0]!, [], []);
    relay.down = true;
    const fetcher = createRelayFetcher({
      store, suite, clock: systemClock, log: createLogger('error', Date.now, () => undefined), relayFor: () => relay, stored: () => undefined,
    });
    expect(await fetcher.fetchAll([box])).toBe(0);
    const [status] = fetcher.status();
    expect(status).toMatchObject({ reachable: false, error: 'relay http://relay.test/ unreachable: connect ECONNREFUSED' });
    expect(JSON.stringify(status)).not.toContain('secret');
  });
});
