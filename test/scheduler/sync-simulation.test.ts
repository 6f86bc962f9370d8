/**
 * The scheduler inside a callback-only simulation (SimClock.runUntilSync, as
 * `npm run sim` runs 1000 nodes): with completeOnAirtime it needs no promise
 * to settle, and it fits the router's TransmitQueue shape.
 */
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { RadioMedium } from '../../hardware/radio-sim/medium.ts';
import { SimRadioLink } from '../../node-runtime/links/sim-radio/sim-radio-link.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { DutyCycleLimiter } from '../../node-runtime/scheduler/duty-cycle.ts';
import { createTransmitScheduler } from '../../node-runtime/scheduler/transmit-scheduler.ts';
import type { TransmitQueue } from '../../node-runtime/scheduler/transmit-queue.ts';

function mesh() {
  const clock = new SimClock();
  const medium = new RadioMedium({ clock, seed: 3 });
  medium.addNode({ id: 'a', x: 0, y: 0 });
  medium.addNode({ id: 'b', x: 1_000, y: 0 });
  const link = new SimRadioLink({ medium, nodeId: 'a' });
  const heard: number[] = [];
  new SimRadioLink({ medium, nodeId: 'b' }).onFrame((f) => heard.push(f.bytes[0] as number));
  return { clock, medium, link, heard };
}

describe('TransmitScheduler in a synchronous simulation', () => {
  it('with completeOnAirtime, drains its queue under runUntilSync, per-frame onSent included', () => {
    const { clock, medium, link, heard } = mesh();
    const sentAt: [string, number][] = [];
    const scheduler = createTransmitScheduler({
      link, clock, random: new SeededRandom(1), channelMonitor: medium.channelMonitor('a'), completeOnAirtime: true,
      dutyCycle: DutyCycleLimiter.forChannel('EU868', 869_525_000, 250_000),
    });
    for (const [id, tag, priority] of [['x', 3, 'bulk'], ['y', 2, 'relay'], ['z', 1, 'ack']] as const) {
      scheduler.enqueue({ id, bytes: new Uint8Array(30).fill(tag), priority, onSent: () => sentAt.push([id, clock.now()]) });
    }
    clock.runUntilIdleSync();
    expect(heard).toEqual([3, 1, 2]); // x was on air before the others arrived
    const air = link.airtimeMs(30);
    expect(sentAt).toEqual([['x', air], ['z', 2 * air], ['y', 3 * air]]);
    expect(scheduler.depth()).toBe(0);
    expect(scheduler.stats().dutyCycle[0]?.usedMs).toBeCloseTo(3 * air, 9);
  });

  it('without it, the same run waits for promises (the async clock drives it)', async () => {
    const { clock, link, heard } = mesh();
    const scheduler = createTransmitScheduler({ link, clock, random: new SeededRandom(1) });
    scheduler.enqueue({ id: 'p', bytes: new Uint8Array([7]), priority: 'direct' });
    scheduler.enqueue({ id: 'q', bytes: new Uint8Array([8]), priority: 'direct' });
    clock.runUntilIdleSync();
    expect(heard).toEqual([7]); // q waits for p's send() promise, which a sync run never settles
    await clock.runUntilIdle();
    expect(heard).toEqual([7, 8]);
  });

  it("is a drop-in for the router's TransmitQueue", () => {
    const { clock, link } = mesh();
    const queue: TransmitQueue = createTransmitScheduler({ link, clock, random: new SeededRandom(1), completeOnAirtime: true });
    expect(queue.enqueue({ id: 'r', bytes: new Uint8Array(4), priority: 'relay', notBeforeMs: 100 })).toBe(true);
    expect(queue.depth()).toBe(1);
    expect(queue.cancel('r')).toBe(true);
    queue.close();
  });
});
