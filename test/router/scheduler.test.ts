import { describe, expect, it } from 'vitest';
import { createTransmitScheduler } from '../../node-runtime/scheduler/transmit-scheduler.ts';
import type { TransmitQueue } from '../../node-runtime/scheduler/transmit-queue.ts';
import { line, makeMesh, settle, text } from './mesh-harness.ts';

describe('router over the node-runtime/scheduler transmit scheduler', () => {
  it('delivers and learns routes with the scheduler (carrier sense, channel-use rule) as its transmit queue', async () => {
    const m = makeMesh({
      nodes: 4, links: line(4), loss: 0.1, seed: 11,
      queue: (node, link, clock, random, medium) => {
        const monitor = medium.channelMonitor(String(node));
        const s = createTransmitScheduler({ link, clock, random, channelMonitor: monitor, completeOnAirtime: true });
        const q: TransmitQueue = {
          enqueue: (req) => s.enqueue(req), cancel: (id) => s.cancel(id), depth: () => s.depth(), close: () => s.close(),
          channelUse: () => monitor.channelUse(),
        };
        return q;
      },
    });
    for (let k = 0; k < 3; k++) {
      const outcome = await settle(m, m.routers[0]!.sendDirect(m.ids[3]!, text(`via scheduler ${k}`)));
      expect(outcome.ok).toBe(true);
    }
    expect(m.delivered[3]!.map((d) => new TextDecoder().decode(d.envelope))).toEqual(['via scheduler 0', 'via scheduler 1', 'via scheduler 2']);
    expect(m.routers[0]!.stats().counters.floods).toBe(1);
  });
});
