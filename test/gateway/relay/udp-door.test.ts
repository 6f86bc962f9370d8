import { describeDoorContract } from './door-contract.ts';
import { startTestRelay } from './support.ts';
import { UDP_MAX_DATAGRAM_BYTES } from '../../../gateway/server/doors/udp-door.ts';

describeDoorContract('udp', async () => {
  const relay = await startTestRelay('udp-door', { http: false, udp: {} });
  return { relay, url: relay.urls[0]!, oversizeBytes: UDP_MAX_DATAGRAM_BYTES + 1, close: () => relay.cleanup() };
});
