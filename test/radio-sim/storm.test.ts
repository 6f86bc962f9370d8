/**
 * 1000 nodes on one simulated channel: a naive flood (every node rebroadcasts
 * the first copy it hears after a random delay) plus background chatter.
 * It must finish (fast: the suite's timeout bounds it; the speed figure is
 * in scripts/bench/radio-sim.bench.ts) and be reproducible from the seed.
 */
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { RadioMedium } from '../../hardware/radio-sim/medium.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';

function storm(seed: number, nodes: number) {
  const clock = new SimClock();
  const medium = new RadioMedium({ clock, seed, lossProbability: 0.05 });
  const random = new SeededRandom(`storm:${seed}`);
  // About 20 neighbours each at the nominal range.
  const sideM = medium.nominalRangeM * Math.sqrt((nodes * Math.PI) / 20);
  const seen = new Set<string>();
  const ids = Array.from({ length: nodes }, (_, i) => `n${i}`);
  for (const id of ids) medium.addNode({ id, x: random.float() * sideM, y: random.float() * sideM });
  const send = (id: string, bytes: Uint8Array): void => {
    if (!medium.isTransmitting(id)) medium.transmit(id, bytes);
  };
  for (const id of ids) {
    medium.attach(id, (rx) => {
      if (rx.bytes[0] !== 0xf1 || seen.has(id)) return;
      seen.add(id);
      clock.setTimer(random.int(5_000), () => send(id, rx.bytes));
    });
    // Background: three 40-byte frames per node at random times in ten minutes.
    for (let k = 0; k < 3; k++) clock.setTimer(random.int(600_000), () => send(id, new Uint8Array(40)));
  }
  seen.add('n0');
  send('n0', new Uint8Array(60).fill(0xf1));
  clock.runUntilIdleSync();
  return { stats: medium.stats(), reached: seen.size, events: clock.firedTimers() };
}

describe('RadioMedium: a 1000-node broadcast storm', () => {
  it('runs 1000 nodes and about 4000 frames, and repeats exactly from the seed', () => {
    const a = storm(11, 1000);
    expect(a.stats.transmissions).toBeGreaterThan(3_000);
    expect(a.stats.transmissions).toBeLessThanOrEqual(4_000);
    expect(a.reached).toBeGreaterThan(500); // the flood crosses the mesh, collisions and all
    expect(a.stats.collisions).toBeGreaterThan(0);
    expect(a.stats.framesReceived).toBeGreaterThan(10 * a.stats.transmissions);
    expect(a.stats.channelUsePeak).toBeGreaterThan(a.stats.channelUseMean);
    expect(a.stats.channelUsePeak).toBeLessThanOrEqual(1);
    const b = storm(11, 1000);
    expect(b.stats).toEqual(a.stats);
    expect(b.reached).toBe(a.reached);
  });
});
