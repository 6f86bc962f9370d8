/** The router's store hook of a mesh node: what it keeps, what it acknowledges, what it refuses. */
import { afterEach, describe, expect, it } from 'vitest';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { encodeGatewayRequest } from '../../protocol/gateway/request.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createSessionPair } from '../../protocol/session/pair.ts';
import { sealBroadcast } from '../../protocol/envelope/broadcast.ts';
import { envelopeId } from '../../protocol/envelope/envelope-id.ts';
import { groupTag, sealGroupMessage } from '../../protocol/envelope/group.ts';
import { sealSensorReading, sensorId } from '../../protocol/envelope/sensor.ts';
import { sealPresence } from '../../protocol/session/presence.ts';
import { BROADCAST_TAG, createDelivery } from '../../apps/meow-node/delivery.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';

const suite = createPortableSuite();
const meta = { broadcast: false, messageId: 0x6d, hops: 1, receivedAtMs: 0 };
const stores: Store[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

function setUp(mailbox = {}) {
  const store = openStore({ path: ':memory:', clock: systemClock, random: new SeededRandom('delivery'), mailbox });
  stores.push(store);
  const lines: string[] = [];
  const deliver = createDelivery({ store, suite, log: createLogger('debug', Date.now, (l) => lines.push(l)), gateway: () => undefined });
  return { store, deliver, lines };
}

describe('mesh node delivery', () => {
  it('keeps a 1:1 envelope under its mailbox tag, once, and acknowledges it', () => {
    const { store, deliver } = setUp();
    const { alice, bob } = createSessionPair(suite, new SeededRandom('delivery-pair'));
    const { envelope } = alice.sealText('hi');
    expect(deliver(envelope, meta)).toBe(true);
    expect(deliver(envelope, meta)).toBe(true); // a duplicate is acknowledged, not stored twice
    const tag = bob.mailboxes(Date.now())[0]!.tag;
    expect(store.mailboxes.list(tag, { limit: 10 }).map((m) => m.bytes)).toEqual([envelope]);
  });

  it('acknowledges and drops what can never be stored: garbage, or a gateway request on a node without relays', () => {
    const { store, deliver, lines } = setUp();
    expect(deliver(new Uint8Array([0x99, 1, 2, 3]), meta)).toBe(true);
    const request = encodeGatewayRequest({ kind: 'relay-deposit', relayUrl: 'http://relay.example', tag: new Uint8Array(16), envelope: new Uint8Array([1]) });
    expect(deliver(request, meta)).toBe(true);
    expect(store.mailboxes.totals().messages).toBe(0);
    expect(lines.join('')).toMatch(/undecodable envelope dropped/);
    expect(lines.join('')).toMatch(/not a gateway/);
  });

  it('withholds the acknowledgement when the mailbox is full, so the sender keeps the message', () => {
    const { deliver } = setUp({ maxMessagesPerMailbox: 1 });
    const { alice } = createSessionPair(suite, new SeededRandom('delivery-full'));
    expect(deliver(alice.sealText('one').envelope, meta)).toBe(true);
    expect(deliver(alice.sealText('two').envelope, meta)).toBe(false);
  });

  it('files each kind under the address it carries, by its envelope id: group tag, sensor id, presence tag, broadcast tag', () => {
    const { store, deliver } = setUp();
    const random = new SeededRandom('delivery-kinds');
    const { alice } = createSessionPair(suite, new SeededRandom('delivery-kinds-pair'));
    const group = groupTag(suite, random.bytes(16));
    const sensorKey = random.bytes(32);
    const filed: Array<[Uint8Array, Uint8Array]> = [
      [group, sealGroupMessage(suite, { groupTag: group, senderIndex: 1, key: random.bytes(32) }, 2, { type: 'text', text: 'hi' })],
      [sensorId(suite, sensorKey), sealSensorReading(suite, sensorKey, 9, [{ quantity: 1, value: 2150 }])],
      [alice.mailboxes(Date.now())[0]!.tag, sealPresence(suite, alice, 'udp://192.0.2.1:41325', Date.now() + 60_000, random)],
      [BROADCAST_TAG, sealBroadcast(suite, random.bytes(32), 'storm', Date.now() + 60_000)],
    ];
    for (const [tag, envelope] of filed) {
      expect(deliver(envelope, meta)).toBe(true);
      expect(store.mailboxes.list(tag, { limit: 10 }).map((m) => [m.id, m.bytes])).toEqual([[envelopeId(suite, envelope), envelope]]);
    }
    expect(store.mailboxes.totals()).toMatchObject({ messages: 4, mailboxes: 4 });
  });
});
