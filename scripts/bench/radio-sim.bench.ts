/**
 * Speed of the simulated medium, clock and transmit scheduler: how many
 * simulated frames (and clock events) one core pushes through per second of
 * wall time, on a 1000-node random layout (about 20 neighbours each) at
 * high load, and how many frames per second the scheduler moves.
 */
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { RadioMedium } from '../../hardware/radio-sim/medium.ts';
import { SimRadioLink } from '../../node-runtime/links/sim-radio/sim-radio-link.ts';
import { createTransmitScheduler } from '../../node-runtime/scheduler/transmit-scheduler.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import type { Benchmark } from './harness.ts';

function storm(nodes: number, framesPerNode: number): { frames: number; events: number; seconds: number } {
  const clock = new SimClock();
  const medium = new RadioMedium({ clock, seed: 1, lossProbability: 0.1 });
  const random = new SeededRandom('bench-storm');
  const sideM = medium.nominalRangeM * Math.sqrt((nodes * Math.PI) / 20);
  for (let i = 0; i < nodes; i++) {
    const id = `n${i}`;
    medium.addNode({ id, x: random.float() * sideM, y: random.float() * sideM });
    medium.attach(id, () => {});
    for (let k = 0; k < framesPerNode; k++) {
      clock.setTimer(random.int(600_000), () => {
        if (!medium.isTransmitting(id)) medium.transmit(id, new Uint8Array(40));
      });
    }
  }
  const start = performance.now();
  clock.runUntilIdleSync();
  medium.stats();
  return { frames: medium.stats().transmissions, events: clock.firedTimers(), seconds: (performance.now() - start) / 1000 };
}

/** Frames per wall second through a scheduler kept 64 frames deep (all four priorities), on the medium. */
function schedulerThroughput(frames: number): number {
  const clock = new SimClock();
  const medium = new RadioMedium({ clock, seed: 2 });
  medium.addNode({ id: 'a', x: 0, y: 0 });
  medium.addNode({ id: 'b', x: 100, y: 0 });
  const link = new SimRadioLink({ medium, nodeId: 'a' });
  const priorities = ['ack', 'direct', 'relay', 'bulk'] as const;
  let offered = 0;
  const offer = (): void => {
    const i = offered++;
    if (i < frames) scheduler.enqueue({ id: `f${i}`, bytes: new Uint8Array(20), priority: priorities[i % 4] as 'ack' });
  };
  const scheduler = createTransmitScheduler({
    link, clock, random: new SeededRandom(3), channelMonitor: medium.channelMonitor('a'), completeOnAirtime: true,
    onSent: offer,
  });
  const start = performance.now();
  for (let i = 0; i < 64; i++) offer();
  clock.runUntilIdleSync();
  return scheduler.stats().sent.ack * 4 / ((performance.now() - start) / 1000);
}

const bench: Benchmark = ({ report, quick }) => {
  const r = storm(1000, quick ? 3 : 20);
  report({ name: 'radio-sim.storm1000.frames', value: r.frames / r.seconds, unit: 'frames/s' });
  report({ name: 'radio-sim.storm1000.events', value: r.events / r.seconds, unit: 'events/s' });
  report({ name: 'scheduler.frames', value: schedulerThroughput(quick ? 2_000 : 20_000), unit: 'frames/s' });
};

export default bench;
