import { describeDoorContract } from '../../seams/door.contract.ts';
import { startTestRelay } from './support.ts';
import { MAX_REQUEST_FRAME_BYTES } from '../../../protocol/server/constants.ts';

describeDoorContract('http', async () => {
  const relay = await startTestRelay('http-door');
  return { relay, url: relay.urls[0]!, oversizeBytes: MAX_REQUEST_FRAME_BYTES + 1, close: () => relay.cleanup() };
});
