/**
 * Field sensors end to end on a mock Firmata IO (mock-firmata, with its
 * analogRead/digitalRead captured as johnny-five's own tests do): johnny-five
 * reads an LM35, an HIH-4030, a digital pin and an analog level; the relay
 * batches samples into sealed sensor envelopes on a simulated clock; the
 * collector opens, replay-checks and stores them. The collector is fuzzed:
 * hostile bytes are refused with a reason and store nothing.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { hih4030CentiPercent, openSensorBoard, type SensorSpec } from '../../hardware/sensors/firmata-sensors.ts';
import { SensorRelay } from '../../node-runtime/sensors/sensor-relay.ts';
import { MemorySensorStore, SensorCollector } from '../../node-runtime/sensors/sensor-collector.ts';

const suite = createPortableSuite();
const { Firmata } = createRequire(import.meta.url)('mock-firmata') as { Firmata: new () => MockIo };

interface MockIo {
  analogRead(pin: number, cb: (v: number) => void): void;
  digitalRead(pin: number, cb: (v: number) => void): void;
  emit(event: string, ...args: unknown[]): void;
}

/** A mock Firmata board whose pins the test sets; johnny-five polls them every 25 ms. */
function mockBoard() {
  const io = new Firmata();
  const analog = new Map<number, (v: number) => void>();
  const digital = new Map<number, (v: number) => void>();
  io.analogRead = (pin, cb) => void analog.set(pin, cb);
  io.digitalRead = (pin, cb) => void digital.set(pin, cb);
  queueMicrotask(() => {
    io.emit('connect');
    io.emit('ready');
  });
  return { io, setAnalog: (pin: number, v: number) => analog.get(pin)?.(v), setDigital: (pin: number, v: number) => digital.get(pin)?.(v) };
}

const specs: SensorSpec[] = [
  { name: 'air-temp', kind: 'temperature', pin: 'A0' },
  { name: 'air-rh', kind: 'humidity', pin: 'A1' },
  { name: 'door', kind: 'digital', pin: 2 },
  { name: 'tank', kind: 'analog', pin: 'A2' },
];

const settle = () => new Promise((r) => setTimeout(r, 80)); // johnny-five's 25 ms sampling interval, a few times

describe('field sensors on a mock Firmata IO', () => {
  it('reads, batches, seals, and the collector stores them once', async () => {
    const m = mockBoard();
    const board = await openSensorBoard(m.io, specs, 2000);
    m.setAnalog(0, 51); // LM35: 51/1023 x 5 V = 249 mV = 24.9 degC
    m.setAnalog(1, 500); // HIH-4030 at 5 V: (0.489 - 0.16) / 0.0062 = 53.0 % RH
    m.setDigital(2, 1);
    m.setAnalog(2, 700);
    await settle();
    const sample = board.sample();
    expect(sample.map((s) => s.name)).toEqual(['air-temp', 'air-rh', 'door', 'tank']);
    expect(sample[0]!.value).toBeGreaterThan(2400);
    expect(sample[0]!.value).toBeLessThan(2520);
    expect(sample[1]!.value).toBe(hih4030CentiPercent(500));
    expect(sample.slice(2).map((s) => s.value)).toEqual([1, 700]);

    const clock = new SimClock();
    const key = new SeededRandom('sensor-key').bytes(32);
    const collector = new SensorCollector(suite, clock, new MemorySensorStore());
    const id = collector.addSensor(key);
    const sent: Uint8Array[] = [];
    let counter = 0;
    const relay = new SensorRelay({
      board, suite, key, clock, sampleEveryMs: 60_000, samplesPerEnvelope: 4,
      counter: { next: async () => counter++ },
      send: async (e) => {
        sent.push(e);
        expect(collector.accept(e)).toEqual({ ok: true, stored: 16 });
      },
    });
    relay.start();
    for (let i = 0; i < 8; i++) {
      await clock.advance(60_000);
      await settle();
    }
    relay.stop();
    expect(sent).toHaveLength(2); // 8 samples of 4 readings: two envelopes of 16
    expect(sent[0]!.length).toBeLessThanOrEqual(9 + 16 * 4 + 16);
    expect(collector.store.history({ sensor: id })).toHaveLength(32);
    expect(collector.store.latest().map((r) => r.value)).toEqual([sample[0]!.value, sample[1]!.value, 1, 700]);
    // The mesh delivers a copy again: refused as a replay, nothing stored.
    expect(collector.accept(sent[0]!)).toEqual({ ok: false, reason: 'replay' });
    expect(collector.store.history()).toHaveLength(32);
  });

  it('says so when no Firmata board answers', async () => {
    const io = new Firmata(); // never emits ready
    await expect(openSensorBoard(io, specs, 100)).rejects.toMatchObject({ name: 'SensorBoardError', code: 'sensor-board' });
  });

  it('a board lost after start stops the readings (no stale values), and says so once', async () => {
    const m = mockBoard();
    const lost: string[] = [];
    const board = await openSensorBoard(m.io, specs, 2000, (reason) => lost.push(reason));
    m.setAnalog(2, 700);
    await settle();
    expect(board.sample().map((s) => s.name)).toContain('tank');
    m.io.emit('close');
    m.io.emit('error', new Error('device unplugged'));
    expect(board.sample()).toEqual([]);
    expect(lost).toEqual(['the serial port closed']);
  });

  it('an IO error before ready is the refusal, with its reason, and does not crash the process', async () => {
    const io = new Firmata(); // never emits ready
    queueMicrotask(() => io.emit('error', new Error('cannot open /dev/ttyNOPE0')));
    await expect(openSensorBoard(io, specs, 2000)).rejects.toThrow('Firmata board failed: cannot open /dev/ttyNOPE0');
  });

  it('collector: hostile bytes are refused with a reason, nothing stored (fuzz)', () => {
    const collector = new SensorCollector(suite, new SimClock(), new MemorySensorStore());
    collector.addSensor(new SeededRandom('k').bytes(32));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const r = collector.accept(bytes);
      expect(r.ok).toBe(false);
    }), { numRuns: 500 });
    expect(collector.store.history()).toHaveLength(0);
  });
});
