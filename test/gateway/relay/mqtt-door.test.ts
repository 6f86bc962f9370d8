/** The contract through a real broker: Debian's mosquitto when installed, else aedes in process (printed). */
import { MAX_REQUEST_FRAME_BYTES } from '../../../protocol/server/constants.ts';
import { describeDoorContract } from '../../seams/door.contract.ts';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/codec/bytes.ts';
import { generateLookupKeyPair } from '../../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../../protocol/server/mailbox.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { connect, startBroker, startTestRelay, suite } from './support.ts';

describeDoorContract('mqtt (mosquitto when installed)', async () => {
  const broker = await startBroker();
  console.log(`mqtt contract runs against ${broker.kind}`);
  const relay = await startTestRelay('mqtt-door', { http: false, mqtt: { brokerUrl: broker.url } });
  return {
    relay, url: relay.urls[0]!, oversizeBytes: MAX_REQUEST_FRAME_BYTES + 1,
    close: async () => {
      await relay.cleanup();
      await broker.close();
    },
  };
});

describe('mqtt door behind the in-process aedes broker (the fallback)', () => {
  it('serves a deposit and a fetch', async () => {
    const broker = await startBroker('aedes');
    expect(broker.kind).toBe('aedes');
    const relay = await startTestRelay('mqtt-aedes', { http: false, mqtt: { brokerUrl: broker.url } });
    try {
      expect(relay.urls[0]).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{16}$/);
      const c = await connect(relay.urls[0]!, 'aedes');
      const owner = generateLookupKeyPair(suite, new SeededRandom('aedes-owner'));
      await c.register(owner);
      await c.deposit(mailboxTagOf(suite, owner.publicKey), utf8('through aedes'), { stampBits: 8 });
      expect((await c.fetch(owner)).messages.map((m) => new TextDecoder().decode(m.envelope))).toEqual(['through aedes']);
      await c.close();
    } finally {
      await relay.cleanup();
      await broker.close();
    }
  });
});
