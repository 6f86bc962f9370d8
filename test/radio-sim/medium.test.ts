import { describe, expect, it } from 'vitest';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { RadioMedium, type MediumReception } from '../../hardware/radio-sim/medium.ts';
import { RadioMediumError } from '../../hardware/radio-sim/errors.ts';
import { LONG_FAST, timeOnAirMs } from '../../protocol/mesh/airtime.ts';

const frame = (n: number, fill = 0xaa): Uint8Array => new Uint8Array(n).fill(fill);

function setup(options: Partial<ConstructorParameters<typeof RadioMedium>[0]> = {}) {
  const clock = new SimClock();
  const medium = new RadioMedium({ clock, seed: 1, ...options });
  const inbox = new Map<string, MediumReception[]>();
  const place = (id: string, x = 0, y = 0): void => {
    medium.addNode({ id, x, y });
    inbox.set(id, []);
    medium.attach(id, (rx) => inbox.get(id)?.push(rx));
  };
  const got = (id: string): MediumReception[] => inbox.get(id) ?? [];
  return { clock, medium, place, got };
}

describe('RadioMedium: link budget and range', () => {
  it('computes RSSI, noise floor and SNR from the documented model', () => {
    const { medium, place } = setup();
    place('a', 0, 0);
    place('b', 1000, 0);
    // Noise: -174 + 10 log10(250 kHz) + 6 dB NF = -114.0206 dBm; SF11 floor -17.5 dB (SX1261/2 table 6-1).
    expect(medium.noiseFloorDbm).toBeCloseTo(-114.0206, 4);
    expect(medium.sensitivityDbm).toBeCloseTo(-131.5206, 4);
    // 14 dBm - (31.2 + 10 * 3.0 * log10(1000)) = -107.2 dBm
    const b = medium.linkBudget('a', 'b');
    expect(b?.rssiDbm).toBeCloseTo(-107.2, 9);
    expect(b?.snrDb).toBeCloseTo(-107.2 + 114.0206, 4);
    expect(b?.decodable).toBe(true);
    // Nominal range: 10^((14 + 131.5206 - 31.2) / 30) = 6467 m.
    expect(medium.nominalRangeM).toBeCloseTo(6467, -1);
  });

  it('delivers at d and not at 2d (range from the link budget)', async () => {
    const { clock, medium, place, got } = setup();
    const d = 0.75 * medium.nominalRangeM;
    place('tx', 0, 0);
    place('near', d, 0);
    place('far', 2 * d, 0);
    medium.transmit('tx', frame(20));
    await clock.runUntilIdle();
    expect(got('near')).toHaveLength(1);
    expect(got('far')).toHaveLength(0);
    expect(medium.neighbours('tx')).toEqual(['near']);
    const rx = got('near')[0];
    expect(rx?.from).toBe('tx');
    expect(rx?.bytes).toEqual(frame(20));
    expect(rx?.snrDb).toBeCloseTo((rx?.rssiDbm ?? 0) - medium.noiseFloorDbm, 9);
  });

  it('a steeper exponent shortens the range', () => {
    const { medium } = setup({ pathLoss: { exponent: 3.5 } });
    expect(medium.nominalRangeM).toBeCloseTo(10 ** ((14 - medium.sensitivityDbm - 31.2) / 35), 6);
    expect(medium.nominalRangeM).toBeLessThan(2000);
  });

  it('shadowing is fixed per link, symmetric, and set by the seed', () => {
    const rssi = (seed: number, from: string, to: string): number => {
      const m = new RadioMedium({ clock: new SimClock(), seed, pathLoss: { shadowingSigmaDb: 8 } });
      m.addNode({ id: 'p', x: 0, y: 0 });
      m.addNode({ id: 'q', x: 800, y: 0 });
      return m.linkBudget(from, to)?.rssiDbm ?? Number.NaN;
    };
    expect(rssi(3, 'p', 'q')).toBe(rssi(3, 'q', 'p'));
    expect(rssi(3, 'p', 'q')).toBe(rssi(3, 'p', 'q'));
    expect(rssi(3, 'p', 'q')).not.toBe(rssi(4, 'p', 'q'));
    const mean = 14 - (31.2 + 30 * Math.log10(800));
    expect(Math.abs(rssi(3, 'p', 'q') - mean)).toBeGreaterThan(0);
  });
});

describe('RadioMedium: time on air, collisions, half duplex', () => {
  it('delivers at the end of the frame, after the Semtech time on air', async () => {
    const { clock, medium, place, got } = setup();
    place('a');
    place('b', 100);
    const info = medium.transmit('a', frame(50));
    expect(info.airtimeMs).toBe(timeOnAirMs(LONG_FAST, 50));
    await clock.runUntil(info.endMs - 0.001);
    expect(got('b')).toHaveLength(0);
    await clock.runUntil(info.endMs);
    expect(got('b')).toHaveLength(1);
    expect(got('b')[0]?.startMs).toBe(0);
    expect(got('b')[0]?.endMs).toBe(info.endMs);
  });

  it('does not echo a frame to its sender', async () => {
    const { clock, medium, place, got } = setup();
    place('a');
    place('b', 10);
    medium.transmit('a', frame(5));
    await clock.runUntilIdle();
    expect(got('a')).toHaveLength(0);
  });

  // Explicit links give exact RSSI values at the receiver r.
  function graph(rssiA: number, rssiB: number) {
    const s = setup();
    for (const id of ['a', 'b', 'r']) s.place(id);
    s.medium.addLink({ a: 'a', b: 'r', rssiDbm: rssiA });
    s.medium.addLink({ a: 'b', b: 'r', rssiDbm: rssiB });
    return s;
  }

  it('loses both frames when they overlap within the capture margin', async () => {
    const { clock, medium, got } = graph(-100, -104);
    medium.transmit('a', frame(30));
    await clock.runUntil(10);
    medium.transmit('b', frame(30));
    await clock.runUntilIdle();
    expect(got('r')).toHaveLength(0);
    expect(medium.stats().collisions).toBe(2);
    expect(medium.nodeCounters('r').collisions).toBe(2);
  });

  it('keeps the stronger frame when it is at least 6 dB above the other (capture)', async () => {
    for (const [rssiA, rssiB] of [[-100, -106], [-110, -100]] as const) {
      const { clock, medium, got } = graph(rssiA, rssiB);
      medium.transmit('a', frame(30, 1));
      await clock.runUntil(10);
      medium.transmit('b', frame(30, 2));
      await clock.runUntilIdle();
      expect(got('r').map((x) => x.from)).toEqual([rssiA > rssiB ? 'a' : 'b']);
      expect(medium.stats().collisions).toBe(1);
    }
  });

  it('5.9 dB is not enough to capture', async () => {
    const { clock, medium, got } = graph(-100, -105.9);
    medium.transmit('a', frame(30));
    medium.transmit('b', frame(30));
    await clock.runUntilIdle();
    expect(got('r')).toHaveLength(0);
  });

  it('frames that touch end to start do not collide', async () => {
    const { clock, medium, got } = graph(-100, -101);
    const first = medium.transmit('a', frame(30));
    await clock.runUntil(first.endMs);
    medium.transmit('b', frame(30));
    await clock.runUntilIdle();
    expect(got('r').map((x) => x.from)).toEqual(['a', 'b']);
  });

  it('a node transmitting cannot receive (half duplex), either way round', async () => {
    const { clock, medium, place, got } = setup();
    place('a');
    place('b', 100);
    place('c', 200);
    // b is already on air when a's frame starts.
    medium.transmit('b', frame(40));
    await clock.runUntil(5);
    medium.transmit('a', frame(10));
    await clock.runUntilIdle();
    expect(got('b').filter((x) => x.from === 'a')).toHaveLength(0);
    expect(medium.nodeCounters('b').halfDuplexLosses).toBe(1);
    // c starts transmitting in the middle of a's frame: it loses it.
    const t = medium.transmit('a', frame(40));
    await clock.runUntil(t.startMs + 50);
    medium.transmit('c', frame(5));
    await clock.runUntilIdle();
    expect(got('c').filter((x) => x.startMs === t.startMs)).toHaveLength(0);
    expect(medium.nodeCounters('c').halfDuplexLosses).toBe(1);
    expect(() => {
      medium.transmit('a', frame(5));
      medium.transmit('a', frame(5));
    }).toThrow(RadioMediumError);
  });

  it('gives every receiver its own copy of the bytes', async () => {
    const { clock, medium, place, got } = setup();
    place('a');
    place('b', 10);
    place('c', 20);
    const bytes = frame(8, 7);
    medium.transmit('a', bytes);
    bytes.fill(0);
    await clock.runUntilIdle();
    const rb = got('b')[0]?.bytes;
    const rc = got('c')[0]?.bytes;
    expect(rb).toEqual(frame(8, 7));
    rb?.fill(1);
    expect(rc).toEqual(frame(8, 7));
  });
});

describe('RadioMedium: carrier sense and channel use', () => {
  it('reports the channel busy while a frame is heard, and idle after', async () => {
    const { clock, medium, place } = setup();
    place('a');
    place('b', 100);
    place('far', 50_000);
    const t = medium.transmit('a', frame(20));
    expect(medium.channelBusy('b')).toBe(true);
    expect(medium.channelBusy('a')).toBe(false); // own transmission is not "heard"
    expect(medium.isTransmitting('a')).toBe(true);
    expect(medium.channelBusy('far')).toBe(false);
    await clock.runUntil(t.endMs);
    expect(medium.channelBusy('b')).toBe(false);
    expect(medium.channelMonitor('b').channelBusy()).toBe(false);
  });

  it('measures channel use over the sliding window, own and heard airtime alike', async () => {
    const { clock, medium, place } = setup();
    place('a');
    place('b', 100);
    const air = medium.airtimeMs(100);
    for (let i = 0; i < 10; i++) {
      medium.transmit(i % 2 === 0 ? 'a' : 'b', frame(100));
      await clock.advance(1_500);
    }
    // 10 frames (of about 1010 ms each) in the last 15 s, all inside the 60 s window.
    expect(medium.channelUse('a')).toBeCloseTo((10 * air) / 60_000, 12);
    expect(medium.channelUse('b')).toBeCloseTo((10 * air) / 60_000, 12);
    await clock.advance(51_000); // window [6 s, 66 s): the frames sent at 0 .. 4.5 s slid out
    expect(medium.channelUse('a')).toBeCloseTo((6 * air) / 60_000, 12);
    const s = medium.stats();
    expect(s.transmissions).toBe(10);
    expect(s.airtimeMs).toBeCloseTo(10 * air, 9);
    expect(s.durationMs).toBe(66_000);
    expect(s.channelUsePeak).toBeCloseTo((10 * air) / 60_000, 12);
    expect(s.channelUseMean).toBeCloseTo((10 * air) / 66_000, 12);
    expect(s.collisions + s.halfDuplexLosses).toBe(0);
    expect(s.framesReceived).toBe(10);
  });
});

describe('RadioMedium: random loss and determinism', () => {
  it('drops frames with the configured probability (binomial bounds)', async () => {
    const { clock, medium, place, got } = setup({ lossProbability: 0.3 });
    place('a');
    place('b', 10);
    const n = 3_000;
    for (let i = 0; i < n; i++) {
      medium.transmit('a', frame(4));
      clock.runUntilIdleSync();
    }
    // mean 2100, sd sqrt(3000 * 0.3 * 0.7) = 25.1; 5 sd either side.
    expect(got('b').length).toBeGreaterThan(2100 - 126);
    expect(got('b').length).toBeLessThan(2100 + 126);
    expect(medium.stats().randomLosses).toBe(n - got('b').length);
  });

  it('applies per-link loss from an explicit topology on top of the global loss', async () => {
    const { clock, medium, place, got } = setup({ lossProbability: 0 });
    place('a');
    place('b');
    medium.addLink({ a: 'a', b: 'b', loss: 1 });
    medium.transmit('a', frame(4));
    await clock.runUntilIdle();
    expect(got('b')).toHaveLength(0);
    expect(medium.stats().randomLosses).toBe(1);
  });

  it('combines global and per-link loss as 1 - (1 - p)(1 - l)', () => {
    const { clock, medium, place, got } = setup({ lossProbability: 0.2 });
    place('a');
    place('b');
    medium.addLink({ a: 'a', b: 'b', loss: 0.25 });
    const n = 3_000;
    for (let i = 0; i < n; i++) {
      medium.transmit('a', frame(4));
      clock.runUntilIdleSync();
    }
    // Loss 0.4: mean 1800 delivered, sd sqrt(3000 * 0.4 * 0.6) = 26.8; 5 sd either side.
    expect(got('b').length).toBeGreaterThan(1800 - 134);
    expect(got('b').length).toBeLessThan(1800 + 134);
  });

  it('follows a node that moves out of range', () => {
    const { clock, medium, place, got } = setup();
    place('a');
    place('b', 1_000);
    medium.transmit('a', frame(4));
    clock.runUntilIdleSync();
    medium.moveNode('b', 3 * medium.nominalRangeM, 0);
    medium.transmit('a', frame(4));
    clock.runUntilIdleSync();
    expect(got('b')).toHaveLength(1);
    expect(medium.neighbours('a')).toEqual([]);
  });

  it('gives the same run for the same seed and a different one for another seed', () => {
    const run = (seed: number): string => {
      const clock = new SimClock();
      const medium = new RadioMedium({ clock, seed, lossProbability: 0.2, pathLoss: { shadowingSigmaDb: 6 } });
      const log: string[] = [];
      for (let i = 0; i < 30; i++) {
        const id = `n${i}`;
        medium.addNode({ id, x: (i % 6) * 1500, y: Math.floor(i / 6) * 1500 });
        medium.attach(id, (rx) => log.push(`${clock.now()}:${rx.from}>${id}:${rx.rssiDbm.toFixed(3)}`));
      }
      for (let k = 0; k < 30; k++) {
        clock.setTimer(k * 137, () => {
          if (!medium.isTransmitting(`n${k}`)) medium.transmit(`n${k}`, frame(30));
        });
      }
      clock.runUntilIdleSync();
      return JSON.stringify({ log, stats: medium.stats() });
    };
    expect(run(7)).toBe(run(7));
    expect(run(7)).not.toBe(run(8));
  });

  it('rejects bad options and unknown nodes', () => {
    const clock = new SimClock();
    expect(() => new RadioMedium({ clock, seed: 1, lossProbability: 2 })).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    const medium = new RadioMedium({ clock, seed: 1 });
    expect(() => medium.transmit('ghost', frame(1))).toThrow(expect.objectContaining({ name: 'RadioMediumError', code: 'unknown-node' }));
    medium.addNode({ id: 'x' });
    expect(() => medium.addNode({ id: 'x' })).toThrow(expect.objectContaining({ code: 'duplicate-node' }));
  });
});
