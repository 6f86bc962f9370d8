/**
 * Field sensor relays end to end through two mesh nodes on loopback UDP:
 * a sensor node reads a mock Firmata board (mock-firmata, as johnny-five's
 * own tests do) and sends sealed, batched readings to the collector node by
 * its node key; the collector, which names the sensor node's key for this
 * source, keeps them only authenticated as from that node, opens,
 * replay-checks and keeps them in its SQLite file;
 * `meow sensors` prints them through the local API as a table, CSV and
 * JSON. Both nodes restart: the history is still there, the sensor's
 * counter goes on past what it used (never repeats), and an old counter
 * sent again is refused as a replay.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { sealSensorReading } from '../../protocol/envelope/sensor.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { parseConfig } from '../../apps/meow-node/config.ts';
import { type MeshNode, startMeshNode } from '../../apps/meow-node/mesh-node.ts';
import { startStatusServer } from '../../apps/meow-node/status-server.ts';
import { createLocalApiHandler } from '../../apps/meow-node/local-api/router.ts';
import { loadOrCreateApiToken } from '../../apps/meow-node/local-api/token.ts';
import { sensorRoutes } from '../../apps/meow-node/sensor-routes.ts';
import { hih4030CentiPercent } from '../../hardware/sensors/firmata-sensors.ts';
import { main } from '../../apps/meow/meow.ts';
import { loadOrCreateNodeKey } from '../../apps/meow-node/node-key.ts';
import type { SensorReadingsResponse } from '../../seams/sensor-readings.ts';
import { waitUntil } from '../support/wait.ts';

const suite = createNodeSuite();
const log = createLogger('warn', Date.now, () => undefined);
const { Firmata } = createRequire(import.meta.url)('mock-firmata') as { Firmata: new () => MockIo };
interface MockIo {
  analogRead(pin: number, cb: (v: number) => void): void;
  digitalRead(pin: number, cb: (v: number) => void): void;
  emit(event: string): void;
}

const KEY_HEX = '5e'.repeat(32);
const COLLECTOR_PORT = 20371;
const SENSOR_PORT = 20372;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A mock board with its pins held at fixed levels (johnny-five polls them every 25 ms). */
function mockBoard(): MockIo {
  const io = new Firmata();
  io.analogRead = (pin, cb) => {
    const level = [51, 500, 700][pin]!;
    const timer = setInterval(() => cb(level), 10);
    timer.unref();
  };
  io.digitalRead = (_pin, cb) => {
    const timer = setInterval(() => cb(1), 10);
    timer.unref();
  };
  queueMicrotask(() => {
    io.emit('connect');
    io.emit('ready');
  });
  return io;
}

function udp(port: number, peer: number) {
  return [{ type: 'udp', port, bindAddress: '127.0.0.1', peers: [`127.0.0.1:${peer}`], mdns: false }];
}

/** The collector pins the source to the sensor node's key (`nodeKey` of its `meow status --json`). */
async function collectorNode(dir: string, sensorNodeKey: Uint8Array): Promise<MeshNode> {
  const config = parseConfig({
    dataDir: dir, region: 'none', links: udp(COLLECTOR_PORT, SENSOR_PORT), status: { port: 0 },
    collector: { sources: [{ name: 'shed', keyHex: KEY_HEX, node: toHex(sensorNodeKey), labels: { 1: 'air-temp', 2: 'air-rh', 128: 'door', 129: 'tank' } }] },
  });
  return startMeshNode(config, { clock: systemClock, random: systemRandom, suite, log });
}

async function sensorNode(dir: string, collectorKey: Uint8Array): Promise<MeshNode> {
  const config = parseConfig({
    dataDir: dir, region: 'none', links: udp(SENSOR_PORT, COLLECTOR_PORT), status: { port: 0 },
    sensors: {
      port: '/dev/ttyACM0', collector: toHex(collectorKey), keyHex: KEY_HEX, sampleEveryMs: 1000, samplesPerEnvelope: 2,
      sensors: [
        { name: 'air-temp', kind: 'temperature', pin: 'A0' },
        { name: 'air-rh', kind: 'humidity', pin: 'A1' },
        { name: 'door', kind: 'digital', pin: 2 },
        { name: 'tank', kind: 'analog', pin: 'A2' },
      ],
    },
  });
  const opened: string[] = [];
  const node = await startMeshNode(config, {
    clock: systemClock, random: systemRandom, suite, log,
    openSensorIo: (port, baud) => {
      opened.push(`${port}@${baud}`);
      return mockBoard();
    },
  });
  expect(opened).toEqual(['/dev/ttyACM0@57600']);
  return node;
}

/** Runs `meow ARGS --node URL -d DIR` against a local API serving the collector's sensor route. */
async function meowSensors(node: MeshNode, dir: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let listen = 0;
  const handler = createLocalApiHandler({
    port: () => listen, token: loadOrCreateApiToken(dir, systemRandom), routes: sensorRoutes(node.sensors.collector),
    events: () => () => undefined, log, now: Date.now,
  });
  const server = await startStatusServer('127.0.0.1', 0, () => ({}), handler);
  listen = server.port;
  let out = '';
  let err = '';
  try {
    const code = await main(['sensors', ...args, '--node', `http://127.0.0.1:${server.port}`, '-d', dir], {
      stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) },
    });
    return { code, out, err };
  } finally {
    await server.close();
  }
}

const time = (at: number) => new Date(at).toISOString().slice(0, 19).replace('T', ' ');

describe('sensor relay to collector over the mesh (UDP loopback)', () => {
  it('delivers batched readings into SQLite, shows them with meow sensors, and survives restarts', { timeout: 120_000 }, async () => {
    const cDir = mkdtempSync(join(tmpdir(), 'meow-collector-'));
    const sDir = mkdtempSync(join(tmpdir(), 'meow-sensor-'));
    dirs.push(cDir, sDir);
    // The sensor node's key, made as its first start would (the collector's config names it).
    const sensorKey = loadOrCreateNodeKey(sDir, suite, systemRandom).key.publicKey;
    let collector = await collectorNode(cDir, sensorKey);
    let sensor = await sensorNode(sDir, collector.publicKey);
    // Two samples of four sensors make one envelope: wait for two envelopes (16 readings).
    await waitUntil(() => (collector.sensors.collector!.readings.history().length >= 16 ? true : undefined), 60_000, '16 readings at the collector');
    sensor.sensors.stop();
    await sensor.stop();
    // Each envelope came authenticated as from the sensor node (its origin under the key the two nodes share).
    expect(sensor.publicKey).toEqual(sensorKey);
    expect(collector.router.stats().counters.sourcesAuthenticated).toBeGreaterThanOrEqual(2);
    // The sensor reserved a block of counters on disk before sealing anything.
    expect(readFileSync(join(sDir, 'sensor-counter'), 'utf8')).toBe('64\n');

    const json = await meowSensors(collector, cDir, ['--json']);
    expect(json.err).toBe('');
    expect(json.code).toBe(0);
    const response = JSON.parse(json.out) as SensorReadingsResponse;
    expect(response.latest.map((r) => [r.source, r.sensor, r.unit])).toEqual([
      ['shed', 'air-rh', '%RH'], ['shed', 'air-temp', 'degC'], ['shed', 'door', ''], ['shed', 'tank', '']]);
    const temp = response.latest[1]!;
    expect(temp.raw).toBeGreaterThan(2400); // LM35: 51/1023 x 5 V = 249 mV = 24.9 degC
    expect(temp.raw).toBeLessThan(2520);
    expect(temp.value).toBe(temp.raw / 100);
    expect(response.latest[0]!.raw).toBe(hih4030CentiPercent(500));
    expect(response.latest.slice(2).map((r) => r.raw)).toEqual([1, 700]);
    const counters = [...new Set(response.history.map((r) => r.counter))];
    expect(counters.slice(0, 2)).toEqual([0, 1]);
    // Each envelope: two samples in sampling order, four readings each.
    expect(response.history.slice(0, 8).map((r) => [r.counter, r.index, r.sensor])).toEqual([
      [0, 0, 'air-temp'], [0, 1, 'air-rh'], [0, 2, 'door'], [0, 3, 'tank'],
      [0, 4, 'air-temp'], [0, 5, 'air-rh'], [0, 6, 'door'], [0, 7, 'tank']]);

    const latest = await meowSensors(collector, cDir, ['--latest']);
    expect(latest.code).toBe(0);
    const at = time(response.latest[0]!.receivedAt);
    const t = String(temp.value).padEnd(5);
    expect(latest.out).toBe([
      'latest',
      'SOURCE  SENSOR    VALUE  UNIT  RECEIVED (UTC)',
      `shed    air-rh    ${String(response.latest[0]!.value).padEnd(5)}  %RH   ${at}`,
      `shed    air-temp  ${t}  degC  ${time(temp.receivedAt)}`,
      `shed    door      1      ${''.padEnd(4)}  ${time(response.latest[2]!.receivedAt)}`,
      `shed    tank      700    ${''.padEnd(4)}  ${time(response.latest[3]!.receivedAt)}`,
      ''].join('\n'));

    const csv = await meowSensors(collector, cDir, ['shed/door', '--csv', '--limit', '3']);
    expect(csv.code).toBe(0);
    const doors = response.history.filter((r) => r.sensor === 'door').slice(-3);
    expect(csv.out).toBe(['received_at,source,sensor,quantity,value,unit,raw,counter,index',
      ...doors.map((r) => `${new Date(r.receivedAt).toISOString()},shed,door,128,1,,1,${r.counter},${r.index}`), ''].join('\n'));

    const unknown = await meowSensors(collector, cDir, ['barn']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no readings from "barn"/);

    // Restart both: the history is read back from SQLite, the counter continues past the reserved block.
    const before = collector.sensors.collector!.readings.history().length;
    await collector.stop();
    collector = await collectorNode(cDir, sensorKey);
    expect(collector.sensors.collector!.readings.history().length).toBe(before);
    // A copy of an envelope under counter 0 (sealed with the sensor's key) is a replay after the restart too.
    const replay = sealSensorReading(suite, fromHex(KEY_HEX)!, 0, [{ quantity: 129, value: 1 }]);
    const fromSensor = { source: sensor.nodeId, sourcePublicKey: sensorKey };
    expect(collector.sensors.deliver(replay, fromSensor)).toBe('handled');
    expect(collector.sensors.collector!.readings.history().length).toBe(before);
    // The same from no authenticated node (any node could send it): refused before opening, and left unacknowledged.
    expect(collector.sensors.deliver(sealSensorReading(suite, fromHex(KEY_HEX)!, 200, [{ quantity: 129, value: 1 }]))).toBe('unacknowledged');
    expect(collector.sensors.collector!.readings.history().length).toBe(before);

    sensor = await sensorNode(sDir, collector.publicKey);
    await waitUntil(() => (collector.sensors.collector!.readings.history().length >= before + 8 ? true : undefined), 60_000, 'readings after the restart');
    await sensor.stop();
    const after = collector.sensors.collector!.readings.history().slice(before);
    expect(after[0]!.counter).toBe(64);
    expect(readFileSync(join(sDir, 'sensor-counter'), 'utf8')).toBe('128\n');
    await collector.stop();
  });

  it('a node without a collector block says what to configure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meow-nocollector-'));
    dirs.push(dir);
    const node = await startMeshNode(parseConfig({ dataDir: dir, region: 'none', links: udp(20373, 20374), status: { port: 0 } }),
      { clock: systemClock, random: systemRandom, suite, log });
    try {
      const r = await meowSensors(node, dir, []);
      expect(r.code).toBe(2);
      expect(r.err).toBe('meow: this node collects no sensor readings: give it a "collector" block (docs/HARDWARE.md "Field sensors")\n');
    } finally {
      await node.stop();
    }
  });
});
