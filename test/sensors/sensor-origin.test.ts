/**
 * Sensor readings with an authenticated origin (issue 9 "A mesh that holds
 * under attack"): a sensor relay configured with its collector's node key
 * hands every envelope to the router with that key, so the collector's node
 * learns which node sent it however far (DeliverMeta.source) and only the
 * collector can acknowledge it; a collector source configured with its
 * sensor node's key keeps only envelopes authenticated as from that node,
 * and leaves others unacknowledged so an honest sensor keeps its readings.
 * End to end over the real router on the simulated radio, two hops.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { sealSensorReading, sensorId } from '../../protocol/envelope/sensor.ts';
import { encodeAck } from '../../protocol/mesh/control.ts';
import { ackProof, computeFrameId, defaultMeshKey, messageKey } from '../../protocol/mesh/frame-auth.ts';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';
import { encodeFrame, type FrameFields } from '../../protocol/mesh/frame.ts';
import { destHintOf, meshNodeId } from '../../protocol/mesh/node-id.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import { MemorySensorStore, SensorCollector } from '../../node-runtime/sensors/sensor-collector.ts';
import { SqlitePendingReadings } from '../../node-runtime/sensors/pending-readings.ts';
import type { DeliverMeta } from '../../node-runtime/router/types.ts';
import { parseCollectorConfig, parseSensorRelayConfig } from '../../apps/meow-node/sensors-config.ts';
import { type SensorDelivery, type SensorRole, startSensorRole } from '../../apps/meow-node/sensor-role.ts';
import type { Logger } from '../../seams/logger.ts';
import { line, makeMesh, suite, type TestMesh } from '../router/mesh-harness.ts';

const SENSOR_KEY = '07'.repeat(32);
const dirs: string[] = [];
const stores: Store[] = [];
afterAll(() => {
  for (const s of stores) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'meow-sensor-origin-'));
  dirs.push(d);
  return d;
}
function store(): Store {
  const s = openStore({ path: join(tempDir(), 'node.db'), clock: new SimClock(), random: new SeededRandom('sensor-origin') });
  stores.push(s);
  return s;
}

/** The harness draws node i's seed as the i-th 32 bytes of this stream (test/router/mesh-harness.ts). */
const seeds = ((r) => Array.from({ length: 3 }, () => r.bytes(32)))(new SeededRandom('test-keys:1'));
const nodeKey = (i: number): Uint8Array => suite.ed25519PublicKey(seeds[i]!);
/** The collector's (node 2's) id, as `meow status` prints it. */
const COLLECTOR_ID = toHex(meshNodeId(suite, nodeKey(2)));

type Line = [string, string, Record<string, unknown> | undefined];
function logger(lines: Line[]): Logger {
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push([level, message, fields]);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const { Firmata } = createRequire(import.meta.url)('mock-firmata') as { Firmata: new () => MockIo };
interface MockIo {
  analogRead(pin: number, cb: (v: number) => void): void;
  digitalRead(pin: number, cb: (v: number) => void): void;
  emit(event: string, ...args: unknown[]): void;
}
/** A mock Firmata board with A2 held at 700 (johnny-five polls it in real time). */
function mockIo(): MockIo {
  const io = new Firmata();
  io.analogRead = (_pin, cb) => void setInterval(() => cb(700), 5).unref();
  io.digitalRead = (_pin, cb) => void setInterval(() => cb(1), 5).unref();
  queueMicrotask(() => {
    io.emit('connect');
    io.emit('ready');
  });
  return io;
}
const realWait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const relayConfig = (collector: string) => parseSensorRelayConfig({
  port: '/dev/ttyACM0', collector, keyHex: SENSOR_KEY, sampleEveryMs: 60_000, samplesPerEnvelope: 1,
  sensors: [{ name: 'tank', kind: 'analog', pin: 'A2' }],
});

describe('the sensor relay hands the collector\'s key to the router', () => {
  it('sends with the key when the config names the collector by key, without it (and a warning) by id', async () => {
    const run = async (collector: string): Promise<{ calls: [string, number, string | undefined][]; warnings: string[] }> => {
      const clock = new SimClock();
      const lines: Line[] = [];
      const calls: [string, number, string | undefined][] = [];
      const role = await startSensorRole({ sensors: relayConfig(collector) }, {
        suite, clock, log: logger(lines), store: store(), dataDir: tempDir(), boardTimeoutMs: 1000,
        sendDirect: async (id, envelope, key) => void calls.push([toHex(id), envelope.length, key && toHex(key)]),
        openSensorIo: () => mockIo(),
      });
      try {
        await realWait(60);
        await clock.advance(60_000);
        return { calls, warnings: lines.filter((l) => l[0] === 'warn').map((l) => l[1]) };
      } finally {
        role.stop();
      }
    };
    const byKey = await run(toHex(nodeKey(2)));
    // One reading of 700: 9 header + quantity 129 + a 2-byte varint + 16 tag = 28 bytes.
    expect(byKey).toEqual({ calls: [[COLLECTOR_ID, 28, toHex(nodeKey(2))]], warnings: [] });
    const byId = await run(COLLECTOR_ID);
    expect(byId.calls).toEqual([[COLLECTOR_ID, 28, undefined]]);
    expect(byId.warnings).toEqual([
      'sensors.collector gives the collector\'s node id only, not its key: beyond one hop the readings go without an authenticated origin, '
      + 'and any node on the path can acknowledge them (the sensor then drops them as delivered); give its nodeKey (64 hex, `meow status --json` on the collector)',
    ]);
  });
});

describe('a collector source pinned to its sensor node', () => {
  const key = new Uint8Array(32).fill(7);
  const node = { id: new Uint8Array(8).fill(1), publicKey: new Uint8Array(32).fill(2) };
  const envelope = (counter: number) => sealSensorReading(suite, key, counter, [{ quantity: 129, value: counter }]);

  it('keeps its envelopes only authenticated as from that node, and an unpinned one from anywhere', () => {
    const collector = new SensorCollector(suite, new SimClock(), new MemorySensorStore());
    collector.addSensor(key, node);
    expect(collector.accept(envelope(0))).toEqual({ ok: false, reason: 'unauthenticated-origin' });
    expect(collector.accept(envelope(0), { source: new Uint8Array(8).fill(9), sourcePublicKey: new Uint8Array(32).fill(9) }))
      .toEqual({ ok: false, reason: 'wrong-origin' });
    expect(collector.accept(envelope(0), { source: node.id, sourcePublicKey: new Uint8Array(32).fill(9) })).toEqual({ ok: false, reason: 'wrong-origin' });
    // Refused before opening: counter 0 was never marked, so the authenticated copy is not a replay.
    expect(collector.accept(envelope(0), { source: node.id, sourcePublicKey: node.publicKey })).toEqual({ ok: true, stored: 1 });
    expect(collector.store.history().map((r) => [r.sensor, r.counter, r.value])).toEqual([[toHex(sensorId(suite, key)), 0, 0]]);

    const open = new SensorCollector(suite, new SimClock(), new MemorySensorStore());
    open.addSensor(key);
    expect(open.accept(envelope(0))).toEqual({ ok: true, stored: 1 });
  });
});

interface Bed {
  m: TestMesh;
  sensor: SensorRole;
  collector: SensorRole;
  /** What the collector's node was told of each direct message, and what its sensor role made of it. */
  seen: { source: string | undefined; outcome: SensorDelivery }[];
  collectorLog: Line[];
  sensorLog: Line[];
  /** The sensor node's node.db (its unsent readings). */
  sensorStore: Store;
  /** Envelopes the relay handed to its router. */
  sent: Uint8Array[];
}

/**
 * Sensor relay on node 0, a plain relay node 1, collector on node 2 (two
 * hops): the daemon's wiring (mesh-node.ts) on the real router. `cutOff`:
 * no radio links at all, and a rogue radio heard by node 0.
 */
async function bed(collectorAs: string, pinned: boolean, cutOff = false): Promise<Bed> {
  const ref: { collector?: SensorRole } = {};
  const seen: Bed['seen'] = [];
  const m = makeMesh({
    nodes: 3, links: cutOff ? [] : line(3), ...(cutOff ? { rogueHeardBy: [0] } : {}),
    store: (i) => (i !== 2 ? undefined : {
      accept: (envelope: Uint8Array, meta: DeliverMeta) => {
        const outcome = ref.collector!.deliver(envelope, meta);
        seen.push({ source: meta.source && toHex(meta.source), outcome });
        return outcome === 'handled';
      },
    }),
  });
  const collectorLog: Line[] = [];
  const collector = await startSensorRole({
    collector: parseCollectorConfig({ sources: [{ name: 'shed', keyHex: SENSOR_KEY, ...(pinned ? { node: toHex(nodeKey(0)) } : {}) }] }),
  }, {
    // Whole milliseconds, as the system clock gives (the simulated medium's clock runs in fractions; SQLite keeps integers).
    suite, clock: { now: () => Math.floor(m.clock.now()), setTimer: (ms, fn) => m.clock.setTimer(ms, fn) }, log: logger(collectorLog), store: store(), dataDir: tempDir(),
    sendDirect: () => Promise.reject(new Error('the collector sends nothing')), openSensorIo: () => mockIo(),
  });
  ref.collector = collector;
  const sensorLog: Line[] = [];
  const sensorStore = store();
  const sent: Uint8Array[] = [];
  const sensor = await startSensorRole({ sensors: relayConfig(collectorAs) }, {
    suite, clock: m.clock, log: logger(sensorLog), store: sensorStore, dataDir: tempDir(), boardTimeoutMs: 1000,
    sendDirect: (id, envelope, destPublicKey) => {
      sent.push(envelope);
      return m.routers[0]!.sendDirect(id, envelope, destPublicKey ? { destPublicKey } : {});
    },
    openSensorIo: () => mockIo(),
  });
  await realWait(60); // the mock board's first readings
  return { m, sensor, collector, seen, collectorLog, sensorLog, sensorStore, sent };
}

/** Runs the simulated clock past the first sample (t = 60 s) until the relay's send settled (sent or failed). */
async function firstEnvelope(b: Bed): Promise<void> {
  for (let t = 0; t < 4 * 3_600_000; t += 10_000) {
    b.m.run(10_000);
    await new Promise((r) => setImmediate(r));
    const s = b.sensor.relayStats()!;
    if (s.envelopesSent + s.sendFailures > 0) return;
  }
  throw new Error('the relay never settled its first envelope');
}

const readings = (b: Bed) => b.collector.collector!.readings.history().map((r) => [r.counter, r.quantity, r.value]);

describe('sensor readings two hops over the real router (simulated radio)', () => {
  it('by the collector\'s key: the collector\'s node sees the sensor node authenticated, keeps the reading, acknowledges it', async () => {
    const b = await bed(toHex(nodeKey(2)), true);
    try {
      await firstEnvelope(b);
      expect(b.seen).toEqual([{ source: toHex(b.m.ids[0]!), outcome: 'handled' }]);
      expect(toHex(b.m.ids[2]!)).toBe(COLLECTOR_ID);
      expect(readings(b)).toEqual([[0, 129, 700]]);
      expect(b.sensor.relayStats()).toEqual({ samples: 1, envelopesSent: 1, sendFailures: 0 });
      expect(b.m.routers[2]!.stats().counters.sourcesAuthenticated).toBeGreaterThanOrEqual(1);
      expect(b.collectorLog.filter((l) => l[0] === 'warn')).toEqual([]);
    } finally {
      b.sensor.stop();
      b.collector.stop();
    }
  });

  it('by id only: no source at the collector\'s node; an unpinned source keeps the reading as before', async () => {
    const b = await bed(COLLECTOR_ID, false);
    try {
      await firstEnvelope(b);
      expect(b.seen).toEqual([{ source: undefined, outcome: 'handled' }]);
      expect(readings(b)).toEqual([[0, 129, 700]]);
      expect(b.collectorLog.filter((l) => l[0] === 'warn').map((l) => [l[1].split(':')[0], l[2]])).toEqual([
        ['sensor source without its node key', { source: 'shed' }]]);
    } finally {
      b.sensor.stop();
      b.collector.stop();
    }
  });

  it('by id only to a pinned source: refused, never acknowledged, so the sensor keeps its reading pending', async () => {
    const b = await bed(COLLECTOR_ID, true);
    try {
      await firstEnvelope(b);
      expect(readings(b)).toEqual([]);
      // Every try of the message reached the collector's node without a source and was left unacknowledged.
      expect(b.seen.length).toBeGreaterThanOrEqual(1);
      expect(b.seen).toEqual(b.seen.map(() => ({ source: undefined, outcome: 'unacknowledged' })));
      // The relay sampled on (one reading a minute) while the router tried; every reading still waits in node.db.
      const stats = b.sensor.relayStats()!;
      expect([stats.envelopesSent, stats.sendFailures]).toEqual([0, 1]);
      expect(new SqlitePendingReadings(b.sensorStore.database()).size()).toBe(stats.samples);
      expect(b.collectorLog.filter((l) => l[0] === 'warn').at(-1)).toEqual(['warn', 'sensor envelope refused', { source: 'shed', reason: 'unauthenticated-origin' }]);
      expect(b.sensorLog.filter((l) => l[1].startsWith('sensor batch not sent')).length).toBe(1);
    } finally {
      b.sensor.stop();
      b.collector.stop();
    }
  });
});

describe('an ack forged by a node on the path (under the network key, which every node holds)', () => {
  /** The collector out of reach; once the relay handed over its first envelope, the rogue answers "the collector's ack, through me". */
  const run = async (collectorAs: string): Promise<{ sent: number; failed: number; pendingAllSamples: boolean; badAckProofs: number }> => {
    const b = await bed(collectorAs, false, true);
    try {
      while (b.sent.length === 0) {
        b.m.run(1_000);
        await new Promise((r) => setImmediate(r));
      }
      b.m.run(1_000);
      const meshKey = defaultMeshKey(suite);
      const dest = destHintOf(b.m.ids[2]!);
      const key = messageKey(suite, meshKey, FrameKind.data, dest, b.sent[0]!);
      const fields: FrameFields = {
        kind: FrameKind.ack, limit: 1, hops: 1, routed: true, destHint: dest, route: new Uint8Array([0xee]),
        payload: encodeAck({ ackedKey: key, proof: ackProof(suite, meshKey, b.m.ids[2]!, key) }),
      };
      b.m.rogue(encodeFrame(fields, computeFrameId(suite, meshKey, fields)));
      await firstEnvelope(b);
      const stats = b.sensor.relayStats()!;
      return {
        sent: stats.envelopesSent, failed: stats.sendFailures,
        pendingAllSamples: new SqlitePendingReadings(b.sensorStore.database()).size() === stats.samples,
        badAckProofs: b.m.routers[0]!.stats().counters.badAckProofs,
      };
    } finally {
      b.sensor.stop();
      b.collector.stop();
    }
  };

  it('makes an id-configured relay drop its readings as delivered; a key-configured one refuses it and keeps them', async () => {
    // By id (no origin): the forgery settles the send; the readings leave node.db though the collector never got them.
    expect(await run(COLLECTOR_ID)).toEqual({ sent: 1, failed: 0, pendingAllSamples: false, badAckProofs: 0 });
    // By key (sourced): only the collector's pairwise proof settles it; the forged one is refused and the readings wait.
    expect(await run(toHex(nodeKey(2)))).toEqual({ sent: 0, failed: 1, pendingAllSamples: true, badAckProofs: 1 });
  });
});
