/** The contract through a real broker: Debian's mosquitto when installed, else aedes in process (printed). */
import { MAX_REQUEST_FRAME_BYTES } from '../../../protocol/server/constants.ts';
import { describeDoorContract } from './door-contract.ts';
import { startBroker, startTestRelay } from './support.ts';

describeDoorContract('mqtt', async () => {
  const broker = await startBroker();
  const relay = await startTestRelay('mqtt-door', { http: false, mqtt: { brokerUrl: broker.url } });
  return {
    relay, url: relay.urls[0]!, oversizeBytes: MAX_REQUEST_FRAME_BYTES + 1,
    close: async () => {
      await relay.cleanup();
      await broker.close();
    },
  };
});
