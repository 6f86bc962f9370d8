/**
 * The `sensors` and `collector` blocks of the node configuration (clear
 * refusals naming the field), the durable sensor counter (blocks reserved
 * on disk, a damaged file refused rather than restarted at 0) and the
 * SQLite reading store (window and readings together, history bounded).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../apps/meow-node/config.ts';
import { FileSensorCounter } from '../../node-runtime/sensors/durable-counter.ts';
import { SqliteSensorStore } from '../../node-runtime/store/sensor-readings.ts';
import { ReplayWindow } from '../../protocol/envelope/replay-window.ts';

const dir = mkdtempSync(join(tmpdir(), 'meow-sensor-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'ab'.repeat(32);
const relay = (over: Record<string, unknown> = {}) => ({
  port: '/dev/ttyACM0', collector: '0011223344556677', keyHex: KEY,
  sensors: [{ name: 'air-temp', kind: 'temperature', pin: 'A0' }, { name: 'door', kind: 'digital', pin: 2 }], ...over,
});

describe('sensors and collector config blocks', () => {
  it('accepts a sensor relay with defaults filled in', () => {
    const c = parseConfig({ sensors: relay() });
    expect(c.sensors).toEqual({
      port: '/dev/ttyACM0', baudRate: 57600, collector: '0011223344556677', keyHex: KEY, sampleEveryMs: 60000, samplesPerEnvelope: 8,
      sensors: [{ name: 'air-temp', kind: 'temperature', pin: 'A0', quantity: 1 }, { name: 'door', kind: 'digital', pin: 2, quantity: 128 }],
    });
  });

  it.each([
    [relay({ port: 'COM3' }), 'config: sensors.port must be the Firmata board\'s serial port, e.g. "/dev/ttyACM0"'],
    [relay({ collector: 'shed' }), 'config: sensors.collector must be the collector node\'s id, 16 hex digits (the "node" line of `meow status` on the collector)'],
    [relay({ keyHex: 'ab' }), 'config: sensors.keyHex must be 64 hex digits (the key this sensor shares with its collector)'],
    [relay({ sensors: [] }), 'config: sensors.sensors must be a list of 1..16 sensors'],
    [relay({ sensors: [{ name: 'x', kind: 'wind', pin: 'A0' }] }), 'config: sensors.sensors[0].kind must be one of temperature, humidity, digital, analog'],
    [relay({ sensors: [{ name: 'x', kind: 'analog', pin: 3 }] }), 'config: sensors.sensors[0].pin must be an analog pin "A0".."A15"'],
    [relay({ sensors: [{ name: 'x', kind: 'digital', pin: 'A1' }] }), 'config: sensors.sensors[0].pin must be a digital pin number 0..69'],
    [relay({ sensors: [{ name: 'a', kind: 'analog', pin: 'A0' }, { name: 'b', kind: 'analog', pin: 'A1' }] }),
      'config: sensors.sensors[1].quantity must be a quantity no other sensor of this node reports (129 is taken): give it one of its own in 128..255'],
    [relay({ samplesPerEnvelope: 9 }), 'config: sensors.samplesPerEnvelope must be at most 8 (2 sensors a sample, 16 readings an envelope)'],
    [relay({ pins: [] }), 'config: sensors.pins must be one of port, baudRate, collector, keyHex, sampleEveryMs, samplesPerEnvelope, sensors (unknown field)'],
  ])('refuses a bad sensors block (%#)', (sensors, message) => {
    expect(() => parseConfig({ sensors })).toThrow(message);
  });

  it('accepts a collector and refuses duplicate names, keys and bad labels', () => {
    const c = parseConfig({ collector: { sources: [{ name: 'shed', keyHex: KEY.toUpperCase(), labels: { 1: 'air-temp' } }] } });
    expect(c.collector).toEqual({ sources: [{ name: 'shed', keyHex: KEY, labels: { 1: 'air-temp' } }] });
    expect(() => parseConfig({ collector: { sources: [{ name: 'a', keyHex: KEY }, { name: 'b', keyHex: KEY }] } }))
      .toThrow('config: collector.sources[1].keyHex must be a key no other source uses');
    expect(() => parseConfig({ collector: { sources: [{ name: 'a', keyHex: KEY, labels: { 300: 'x' } }] } }))
      .toThrow('config: collector.sources[0].labels["300"] must be keyed by a quantity code 1..255');
    expect(() => parseConfig({ collector: {} })).toThrow('config: collector.sources must be a list of 1..1000 sensor relays');
  });
});

describe('durable sensor counter', () => {
  it('reserves blocks on disk and restarts past them, never repeating', async () => {
    const path = join(dir, 'counter-a');
    const a = new FileSensorCounter(path, 4);
    expect([await a.next(), await a.next(), await a.next()]).toEqual([0, 1, 2]);
    expect(readFileSync(path, 'utf8')).toBe('4\n');
    expect([await a.next(), await a.next()]).toEqual([3, 4]);
    expect(readFileSync(path, 'utf8')).toBe('8\n');
    const b = new FileSensorCounter(path, 4); // a restart (or a power cut) after counter 4
    expect(await b.next()).toBe(8);
  });

  it('refuses a damaged counter file instead of starting again at 0', () => {
    const path = join(dir, 'counter-b');
    writeFileSync(path, 'garbage');
    expect(() => new FileSensorCounter(path)).toThrow(/sensor counter .* is damaged/);
  });
});

describe('SQLite sensor store', () => {
  it('keeps the window with the readings and bounds the history per sensor', () => {
    const db = new Database(join(dir, 'store.db'));
    const store = new SqliteSensorStore(db, 5);
    const window = store.window('s1');
    for (let counter = 0; counter < 4; counter++) {
      window.mark(counter);
      store.add('s1', window, [0, 1].map((index) => ({ sensor: 's1', counter, index, quantity: 1, value: counter * 10 + index, receivedAtMs: 1000 + counter })));
    }
    expect(store.history().map((r) => r.value)).toEqual([11, 20, 21, 30, 31]); // the oldest three went
    expect(store.latest()).toEqual([{ sensor: 's1', counter: 3, index: 1, quantity: 1, value: 31, receivedAtMs: 1003 }]);
    expect(store.history({ sensor: 's1', limit: 2 }).map((r) => r.value)).toEqual([30, 31]);
    db.close();
    const reopened = new SqliteSensorStore(new Database(join(dir, 'store.db')), 5);
    const w = reopened.window('s1');
    expect([w.highest, w.check(3), w.check(0), w.check(4)]).toEqual([3, 'seen', 'seen', 'fresh']);
    expect(reopened.window('other')).toEqual(new ReplayWindow());
  });
});
