/**
 * A sensor relay's readings survive what a field node goes through: sampled
 * readings wait in the node's SQLite store until an envelope carrying them
 * has been handed to the mesh, so a stop, kill -9 (modelled by opening the
 * store file again beside the abandoned handle, as the next process does)
 * or a failed send sends them later; and a Firmata board unplugged and
 * plugged again (mock-firmata) is reopened with backoff while the node runs
 * on, the log saying so at each step.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { openSensorReading, type SensorMessage } from '../../protocol/envelope/sensor.ts';
import { ReplayWindow } from '../../protocol/envelope/replay-window.ts';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import { SensorRelay } from '../../node-runtime/sensors/sensor-relay.ts';
import { MemoryPendingReadings, SqlitePendingReadings } from '../../node-runtime/sensors/pending-readings.ts';
import type { SensorBoard } from '../../hardware/sensors/firmata-sensors.ts';
import { startSensorRole } from '../../apps/meow-node/sensor-role.ts';
import type { Logger } from '../../seams/logger.ts';

const suite = createPortableSuite();
const key = new Uint8Array(32).fill(7);
const dirs: string[] = [];
const stores: Store[] = [];
afterAll(() => {
  for (const s of stores) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'meow-sensor-durable-'));
  dirs.push(d);
  return d;
}
function store(path: string): Store {
  const s = openStore({ path, clock: new SimClock(), random: new SeededRandom('sensor-durable') });
  stores.push(s);
  return s;
}

/** A board whose every sample is two readings numbered from `next`. */
function countingBoard(): SensorBoard & { next: number } {
  const board = {
    next: 0,
    sample: () => [{ name: 't', quantity: 1, value: board.next++ }, { name: 'd', quantity: 128, value: 1 }],
    close: () => undefined,
  };
  return board;
}
/** Opens an envelope under the test key (a fresh replay window each time: counters are checked by the tests). */
const open = (envelope: Uint8Array): SensorMessage => {
  const opened = openSensorReading(suite, envelope, () => ({ key, window: new ReplayWindow() }));
  if (!opened.ok) throw new Error(JSON.stringify(opened));
  return opened.value;
};
const values = (envelope: Uint8Array): number[] => open(envelope).readings.map((r) => r.value);

describe('unsent sensor readings', () => {
  it('survive kill -9: the next process sends them first in its next envelope', async () => {
    const path = join(tempDir(), 'node.db');
    const board = countingBoard();
    const sent: Uint8Array[] = [];
    let counter = 0;
    const options = { board, suite, key, clock: new SimClock(), counter: { next: async () => counter++ }, samplesPerEnvelope: 3, send: async (e: Uint8Array) => void sent.push(e) };
    const first = new SensorRelay({ ...options, pending: new SqlitePendingReadings(store(path).database()) });
    await first.sampleOnce();
    await first.sampleOnce();
    expect(sent).toEqual([]);
    // Killed here: no stop(), no close(). The next process opens the same file.
    const second = new SensorRelay({ ...options, pending: new SqlitePendingReadings(store(path).database()) });
    expect(second.pendingReadings()).toBe(4);
    await second.sampleOnce();
    expect(sent).toHaveLength(1);
    expect(values(sent[0]!)).toEqual([0, 1, 1, 1, 2, 1]);
    expect(second.pendingReadings()).toBe(0);
    expect(new SqlitePendingReadings(store(path).database()).size()).toBe(0);
  });

  it('stay when the mesh refuses the envelope, and go in the next one under a new counter', async () => {
    const board = countingBoard();
    const sent: { counter: number; values: number[] }[] = [];
    const errors: string[] = [];
    let counter = 10;
    let refuse = true;
    const relay = new SensorRelay({
      board, suite, key, clock: new SimClock(), counter: { next: async () => counter++ }, samplesPerEnvelope: 2,
      pending: new SqlitePendingReadings(store(join(tempDir(), 'node.db')).database()),
      send: async (e) => {
        if (refuse) throw new Error('no route');
        sent.push({ counter: open(e).counter, values: values(e) });
      },
      onError: (e) => errors.push((e as Error).message),
    });
    await relay.sampleOnce();
    await relay.sampleOnce();
    expect(errors).toEqual(['no route']);
    expect(relay.pendingReadings()).toBe(4);
    refuse = false;
    await relay.sampleOnce();
    expect(sent).toEqual([{ counter: 11, values: [0, 1, 1, 1, 2, 1] }]);
    expect(relay.stats()).toEqual({ samples: 3, envelopesSent: 1, sendFailures: 1 });
  });

  it('more than 16 pending go 16 an envelope; the bound drops the oldest and says how many', async () => {
    const pending = new SqlitePendingReadings(store(join(tempDir(), 'node.db')).database(), 5);
    expect(pending.add([{ quantity: 1, value: 1 }, { quantity: 1, value: 2 }, { quantity: 1, value: 3 }])).toBe(0);
    expect(pending.add([{ quantity: 1, value: 4 }, { quantity: 1, value: 5 }, { quantity: 1, value: 6 }])).toBe(1);
    expect(pending.take(16).readings.map((r) => r.value)).toEqual([2, 3, 4, 5, 6]);
    expect(pending.samples()).toBe(2);
    const memory = new MemoryPendingReadings(5);
    memory.add([{ quantity: 1, value: 1 }, { quantity: 1, value: 2 }, { quantity: 1, value: 3 }]);
    expect(memory.add([{ quantity: 1, value: 4 }, { quantity: 1, value: 5 }, { quantity: 1, value: 6 }])).toBe(1);
    expect(memory.take(16).readings.map((r) => r.value)).toEqual([2, 3, 4, 5, 6]);

    const big = new SqlitePendingReadings(store(join(tempDir(), 'node.db')).database());
    for (let i = 0; i < 20; i++) big.add([{ quantity: 1, value: i }]);
    const sent: number[][] = [];
    let counter = 0;
    const relay = new SensorRelay({ board: countingBoard(), suite, key, clock: new SimClock(), counter: { next: async () => counter++ }, pending: big, send: async (e) => void sent.push(values(e)) });
    await relay.flush();
    expect(sent.map((v) => v.length)).toEqual([16, 4]);
    expect(sent.flat()).toEqual([...Array(20).keys()]);
  });
});

const { Firmata } = createRequire(import.meta.url)('mock-firmata') as { Firmata: new () => MockIo };
interface MockIo {
  analogRead(pin: number, cb: (v: number) => void): void;
  digitalRead(pin: number, cb: (v: number) => void): void;
  emit(event: string, ...args: unknown[]): void;
}
/** A mock board answering with the analog level `level` (johnny-five polls every 25 ms), or never ready and failing. */
function mockIo(level: number | 'fails'): MockIo {
  const io = new Firmata();
  io.analogRead = (_pin, cb) => void setInterval(() => cb(level as number), 5).unref();
  io.digitalRead = (_pin, cb) => void setInterval(() => cb(1), 5).unref();
  queueMicrotask(() => {
    if (level === 'fails') io.emit('error', new Error('cannot open /dev/ttyACM0: ENOENT'));
    else {
      io.emit('connect');
      io.emit('ready');
    }
  });
  return io;
}
const settle = (ms = 60) => new Promise((r) => setTimeout(r, ms));

describe('a lost Firmata board', () => {
  it('is reopened with backoff while the node runs on, the log saying so, and readings resume', async () => {
    const clock = new SimClock();
    const lines: [string, string, Record<string, unknown> | undefined][] = [];
    const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push([level, message, fields]);
    const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const ios = [() => mockIo(700), () => mockIo('fails'), () => mockIo(300)];
    const made: MockIo[] = [];
    const sent: number[][] = [];
    const role = await startSensorRole({
      sensors: {
        port: '/dev/ttyACM0', baudRate: 57600, collector: '00'.repeat(8), keyHex: '07'.repeat(32), sampleEveryMs: 60_000, samplesPerEnvelope: 1,
        sensors: [{ name: 'tank', kind: 'analog', pin: 'A2' }],
      },
    }, {
      suite, clock, log, store: store(join(tempDir(), 'node.db')), dataDir: tempDir(), boardTimeoutMs: 1000, boardRetryMs: 30_000,
      sendDirect: async (_id, e) => void sent.push(values(e)),
      openSensorIo: () => {
        made.push(ios.shift()!());
        return made.at(-1)!;
      },
    });
    try {
      await settle();
      await clock.advance(60_000);
      expect(sent).toEqual([[700]]);

      // Unplugged at t = 60 s: the IO closes; the node goes on and plans a retry in 30 s (boardRetryMs), then 60 s.
      made[0]!.emit('close');
      // lines[0]: the collector named by id only (sensor-role.ts warns); lines[1]: the relay started.
      expect(lines[0]![1]).toMatch(/^sensors.collector gives the collector's node id only/);
      expect(lines.slice(2)).toEqual([
        ['error', 'sensor board lost: reconnecting (readings resume when it answers)', { port: '/dev/ttyACM0', reason: 'the serial port closed', retryInMs: 30_000 }],
      ]);
      await clock.advance(30_000);
      await settle();
      expect(made).toHaveLength(2);
      expect(lines.slice(3)).toEqual([
        ['warn', 'sensor board still not answering', { port: '/dev/ttyACM0', attempt: 1, error: 'Firmata board failed: cannot open /dev/ttyACM0: ENOENT', retryInMs: 60_000 }],
      ]);
      // t = 120 s: a sampling time while the board is away: nothing is sent (no stale 700).
      await clock.advance(30_000);
      expect(sent).toEqual([[700]]);
      // t = 150 s: the second retry finds the board again.
      await clock.advance(30_000);
      await settle();
      expect(made).toHaveLength(3);
      expect(lines.slice(4)).toEqual([['info', 'sensor board reconnected', { port: '/dev/ttyACM0', attempts: 2 }]]);
      await clock.advance(30_000);
      expect(sent).toEqual([[700], [300]]);
    } finally {
      role.stop();
    }
  });
});
