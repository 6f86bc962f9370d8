import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { describeDoorContract } from '../../seams/door.contract.ts';
import { startTestRelay, suite } from './support.ts';
import { UDP_MAX_DATAGRAM_BYTES, UDP_PAD_REQUESTS_TO_BYTES } from '../../../protocol/server/doors.ts';
import { encodeDescriptorQuery } from '../../../protocol/server/frame.ts';
import { sealRequest } from '../../../protocol/server/seal.ts';
import { encodeRequest } from '../../../protocol/server/request-encode.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';

describeDoorContract('udp', async () => {
  const relay = await startTestRelay('udp-door', { http: false, udp: {} });
  return { relay, url: relay.urls[0]!, oversizeBytes: UDP_MAX_DATAGRAM_BYTES + 1, close: () => relay.cleanup() };
});

describe('udp door anti-amplification', () => {
  it('never answers with more than 3 times the bytes it received', async () => {
    const relay = await startTestRelay('udp-amp', { http: false, udp: {} });
    const socket = createSocket('udp4');
    try {
      const port = relay.doors[0]!.port;
      const answers: Buffer[] = [];
      socket.on('message', (m) => answers.push(m));
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
      const ask = async (frame: Uint8Array): Promise<Buffer | undefined> => {
        answers.length = 0;
        socket.send(frame, port, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 300));
        return answers[0];
      };
      // A bare 9-byte descriptor query (a spoofer's favourite) gets no 200-byte descriptor back.
      const small = await ask(encodeDescriptorQuery(new Uint8Array(8)));
      expect(small === undefined || small.length <= 27).toBe(true);
      // Padded, it does.
      const padded = await ask(encodeDescriptorQuery(new Uint8Array(8), UDP_PAD_REQUESTS_TO_BYTES));
      expect(padded?.[0]).toBe(0x82);
      // A sealed catalog request, unpadded: the answer stays within 3x.
      const sealed = sealRequest(suite, new SeededRandom('amp'), relay.key.publicKey, encodeRequest({ kind: 'catalog-list' })).frame;
      const a = await ask(sealed);
      expect(a === undefined || a.length <= 3 * sealed.length).toBe(true);
    } finally {
      socket.close();
      await relay.cleanup();
    }
  });
});
