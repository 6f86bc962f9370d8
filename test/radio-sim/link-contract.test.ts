/**
 * The shared Link contract suite (test/seams/link.contract.ts) run against the
 * simulated radio link, on a simulated clock: a free-running driver lets the
 * suite await send(), and `advance` moves simulated time for its waits.
 */
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { RadioMedium } from '../../hardware/radio-sim/medium.ts';
import { SimRadioLink } from '../../node-runtime/links/sim-radio/sim-radio-link.ts';
import { describeLinkContract } from '../seams/link.contract.ts';

let clock = new SimClock();

async function makePair(lossProbability: number) {
  clock = new SimClock();
  const stop = clock.autoRun();
  const medium = new RadioMedium({ clock, seed: 'contract', lossProbability });
  medium.addNode({ id: 'a', x: 0, y: 0 });
  medium.addNode({ id: 'b', x: 2_000, y: 0 });
  const a = new SimRadioLink({ medium, nodeId: 'a' });
  const b = new SimRadioLink({ medium, nodeId: 'b' });
  return {
    a,
    b,
    cleanup: async () => {
      await a.close();
      await b.close();
      stop();
    },
  };
}

const advance = (ms: number): Promise<void> => clock.advance(ms);

describeLinkContract('sim-radio, clean channel', () => makePair(0), { advance, pollStepMs: 50, deliveryTimeoutMs: 5_000, quietPeriodMs: 2_000 });

describeLinkContract('sim-radio, 30 % frame loss', () => makePair(0.3), {
  advance, pollStepMs: 50, deliveryTimeoutMs: 5_000, quietPeriodMs: 2_000, attempts: 12, burstMinimumDelivered: 5,
});
