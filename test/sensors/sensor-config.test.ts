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
import { ConfigError, parseConfig } from '../../apps/meow-node/config.ts';
import { parseCollectorConfig, parseSensorRelayConfig } from '../../apps/meow-node/sensors-config.ts';
import { ConfigFieldError } from '../../node-runtime/links/config-fields.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { nodeIdFromKey } from '../../protocol/keys/node-id.ts';
import { FileSensorCounter } from '../../node-runtime/sensors/durable-counter.ts';
import { SqliteSensorStore } from '../../node-runtime/store/sensor-readings.ts';
import { ReplayWindow } from '../../protocol/envelope/replay-window.ts';

const dir = mkdtempSync(join(tmpdir(), 'meow-sensor-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'ab'.repeat(32);
const suite = createPortableSuite();
/** A node's Ed25519 public key, and its id as the router derives it (on the portable suite, not the config's node:crypto one). */
const nodePublic = suite.ed25519PublicKey(new Uint8Array(32).fill(3));
const NODE_KEY = toHex(nodePublic);
const NODE_ID = toHex(nodeIdFromKey(suite, nodePublic));
/** 64 hex digits that are no usable Ed25519 key: y = 2^256 - 1 is not canonical; y = 1 is the identity point (small order). */
const NOT_A_POINT = 'ff'.repeat(32);
const SMALL_ORDER = `01${'00'.repeat(31)}`;
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
    [relay({ collector: 'shed' }), 'config: sensors.collector must be the collector\'s node key, 64 hex digits (`nodeKey` in `meow status --json` on the collector), or its node id, 16 hex digits'],
    [relay({ collector: NODE_KEY.slice(2) }), 'config: sensors.collector must be the collector\'s node key, 64 hex digits (`nodeKey` in `meow status --json` on the collector), or its node id, 16 hex digits'],
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

  it('takes the collector by its node key: the id derived from it, the key kept to send with', () => {
    const c = parseConfig({ sensors: relay({ collector: NODE_KEY.toUpperCase() }) });
    expect([c.sensors?.collector, c.sensors?.collectorKeyHex]).toEqual([NODE_ID, NODE_KEY]);
    // The id-only form still parses, with no key (sensor-role.ts warns at start-up).
    const byId = parseSensorRelayConfig(relay({ collector: NODE_ID.toUpperCase() }));
    expect([byId.collector, byId.collectorKeyHex]).toEqual([NODE_ID, undefined]);
  });

  it.each([[NOT_A_POINT], [SMALL_ORDER]])('refuses a collector key that is not a usable Ed25519 key with a typed error (%s)', (collector) => {
    const message = 'config: sensors.collector must be a valid Ed25519 public key (this one is not: copy `nodeKey` from `meow status --json` on that node again)';
    expect(() => parseSensorRelayConfig(relay({ collector }))).toThrow(ConfigFieldError);
    expect(() => parseSensorRelayConfig(relay({ collector }))).toThrow(message);
    expect(() => parseConfig({ sensors: relay({ collector }) })).toThrow(ConfigError);
    try {
      parseConfig({ sensors: relay({ collector }) });
    } catch (error) {
      expect([(error as ConfigError).code, (error as ConfigError).message, (error as ConfigError).fields]).toEqual([
        'bad-config', message, { field: 'sensors.collector', expected: message.slice('config: sensors.collector must be '.length) }]);
    }
  });

  it('takes a source\'s sensor node by its key (id and key), and refuses one that is not a node key', () => {
    const c = parseCollectorConfig({ sources: [{ name: 'shed', keyHex: KEY, node: NODE_KEY.toUpperCase() }, { name: 'barn', keyHex: 'cd'.repeat(32) }] });
    expect(c.sources.map((s) => [s.name, s.node])).toEqual([['shed', { id: NODE_ID, keyHex: NODE_KEY }], ['barn', undefined]]);
    expect(() => parseCollectorConfig({ sources: [{ name: 'shed', keyHex: KEY, node: NODE_ID }] }))
      .toThrow('config: collector.sources[0].node must be the sensor relay\'s node key, 64 hex digits (`nodeKey` in `meow status --json` on the sensor node)');
    expect(() => parseCollectorConfig({ sources: [{ name: 'shed', keyHex: KEY, node: SMALL_ORDER }] }))
      .toThrow('config: collector.sources[0].node must be a valid Ed25519 public key (this one is not: copy `nodeKey` from `meow status --json` on that node again)');
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
