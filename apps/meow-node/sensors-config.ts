/**
 * The `sensors` block (this node is a field sensor relay: an Arduino with
 * StandardFirmata on `port`) and the `collector` block (this node keeps the
 * readings of the sensor relays it lists) of the node configuration.
 *
 *   "sensors": { "port": "/dev/ttyACM0", "collector": "<collector node key, 64 hex>", "keyHex": "<64 hex>",
 *                "sampleEveryMs": 60000, "samplesPerEnvelope": 4,
 *                "sensors": [{ "name": "air-temp", "kind": "temperature", "pin": "A0" }, ...] }
 *   "collector": { "sources": [{ "name": "shed", "keyHex": "<64 hex>", "node": "<sensor node key, 64 hex>",
 *                                "labels": { "1": "air-temp" } }] }
 *
 * `keyHex` is the sensor's 32-byte key, the same on both ends (it names the
 * sensor to the collector and seals its readings): the configuration file
 * must be readable by the node's user only. Readings carry a quantity code,
 * not a name, so one relay's sensors must report distinct quantities; the
 * collector's `labels` name them back.
 *
 * Node keys are the nodes' Ed25519 public keys (`nodeKey` in `meow status
 * --json`, as a card's `mesh://<64 hex>`). With the collector's key the
 * relay's readings carry an authenticated origin at any distance and only
 * the collector can acknowledge them (docs/THREAT-MODEL.md, "Authenticated
 * sources in real use"); the collector's 16-hex node id still works, without
 * that beyond one hop (sensor-role.ts warns at start-up). A source's `node`
 * makes the collector keep its readings only when they come authenticated
 * from that node.
 */
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { nodeIdFromKey } from '../../protocol/keys/node-id.ts';
import { isAcceptableEd25519PublicKey } from '../../protocol/keys/validate.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { check, int, isObject, onlyKnown, type JsonObject } from '../../node-runtime/links/config-fields.ts';
import { DEFAULT_QUANTITY, type SensorKind, type SensorSpec } from '../../hardware/sensors/firmata-sensors.ts';
import { MAX_SENSOR_READINGS } from '../../protocol/envelope/sensor.ts';

export interface SensorRelayConfig {
  /** The serial port of the Firmata board. */
  readonly port: string;
  readonly baudRate: number;
  /** The collector's mesh node id, 16 hex digits (given, or derived from its key). */
  readonly collector: string;
  /** The collector's node key, 64 hex digits, when the configuration gives it: the readings then go with an authenticated origin. */
  readonly collectorKeyHex?: string;
  readonly keyHex: string;
  readonly sampleEveryMs: number;
  readonly samplesPerEnvelope: number;
  readonly sensors: readonly SensorSpec[];
}

export interface SensorSource {
  readonly name: string;
  readonly keyHex: string;
  /** The sensor relay's node, when the configuration names it by key: only readings authenticated as from it are kept. */
  readonly node?: NodeKeyConfig;
  /** Quantity code to the name shown by `meow sensors`. */
  readonly labels: Readonly<Record<number, string>>;
}

/** A node named by its key, with the id derived from it (protocol/keys/node-id.ts). */
export interface NodeKeyConfig {
  /** 16 hex digits. */
  readonly id: string;
  /** The Ed25519 public key, 64 hex digits. */
  readonly keyHex: string;
}

export interface CollectorConfig {
  readonly sources: readonly SensorSource[];
}

const NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const KEY_HEX = /^[0-9a-f]{64}$/i;
const KINDS: readonly SensorKind[] = ['temperature', 'humidity', 'digital', 'analog'];
const SENSOR_FIELDS = ['name', 'kind', 'pin', 'quantity'];
const NODE_ID_HEX = /^[0-9a-f]{16}$/i;

const SOURCE_NODE_EXPECTED = 'the sensor relay\'s node key, 64 hex digits (`nodeKey` in `meow status --json` on the sensor node)';

let hashSuite: ReturnType<typeof createNodeSuite> | undefined;

/** A node key as configured: 64 hex digits of a valid Ed25519 public key (a key the router could not verify with would only make the origin useless). */
function nodeKey(raw: unknown, field: string, expected: string): NodeKeyConfig {
  check(typeof raw === 'string' && KEY_HEX.test(raw), field, expected);
  const key = fromHex((raw as string).toLowerCase())!;
  check(isAcceptableEd25519PublicKey(key), field, 'a valid Ed25519 public key (this one is not: copy `nodeKey` from `meow status --json` on that node again)');
  hashSuite ??= createNodeSuite();
  return { id: toHex(nodeIdFromKey(hashSuite, key)), keyHex: toHex(key) };
}

function sensorSpec(raw: unknown, field: string): SensorSpec {
  check(isObject(raw), field, 'an object { name, kind, pin }');
  const o = raw as JsonObject;
  onlyKnown(o, field, SENSOR_FIELDS);
  check(typeof o.name === 'string' && NAME.test(o.name), `${field}.name`, 'a name of a-z, 0-9 and - (at most 32)');
  check(KINDS.includes(o.kind as SensorKind), `${field}.kind`, `one of ${KINDS.join(', ')}`);
  const kind = o.kind as SensorKind;
  if (kind === 'digital') check(Number.isInteger(o.pin) && (o.pin as number) >= 0 && (o.pin as number) <= 69, `${field}.pin`, 'a digital pin number 0..69');
  else check(typeof o.pin === 'string' && /^A\d{1,2}$/.test(o.pin), `${field}.pin`, 'an analog pin "A0".."A15"');
  const quantity = o.quantity === undefined ? DEFAULT_QUANTITY[kind] : int(o.quantity, `${field}.quantity`, 1, 255);
  return { name: o.name as string, kind, pin: o.pin as string | number, quantity };
}

export function parseSensorRelayConfig(raw: unknown): SensorRelayConfig {
  check(isObject(raw), 'sensors', 'an object { port, collector, keyHex, sensors }');
  const o = raw as JsonObject;
  onlyKnown(o, 'sensors', ['port', 'baudRate', 'collector', 'keyHex', 'sampleEveryMs', 'samplesPerEnvelope', 'sensors']);
  check(typeof o.port === 'string' && o.port.startsWith('/'), 'sensors.port', 'the Firmata board\'s serial port, e.g. "/dev/ttyACM0"');
  const collectorExpected = 'the collector\'s node key, 64 hex digits (`nodeKey` in `meow status --json` on the collector), or its node id, 16 hex digits';
  check(typeof o.collector === 'string' && (KEY_HEX.test(o.collector) || NODE_ID_HEX.test(o.collector)), 'sensors.collector', collectorExpected);
  const collector = KEY_HEX.test(o.collector as string) ? nodeKey(o.collector, 'sensors.collector', collectorExpected) : undefined;
  check(typeof o.keyHex === 'string' && KEY_HEX.test(o.keyHex), 'sensors.keyHex', '64 hex digits (the key this sensor shares with its collector)');
  check(Array.isArray(o.sensors) && o.sensors.length > 0 && o.sensors.length <= MAX_SENSOR_READINGS, 'sensors.sensors',
    `a list of 1..${MAX_SENSOR_READINGS} sensors`);
  const sensors = (o.sensors as unknown[]).map((s, i) => sensorSpec(s, `sensors.sensors[${i}]`));
  sensors.forEach((s, i) => {
    check(sensors.findIndex((t) => t.name === s.name) === i, `sensors.sensors[${i}].name`, `unique ("${s.name}" is used twice)`);
    check(sensors.findIndex((t) => t.quantity === s.quantity) === i, `sensors.sensors[${i}].quantity`,
      `a quantity no other sensor of this node reports (${s.quantity} is taken): give it one of its own in 128..255`);
  });
  const samplesPerEnvelope = o.samplesPerEnvelope === undefined ? Math.max(1, Math.floor(MAX_SENSOR_READINGS / sensors.length)) : int(o.samplesPerEnvelope, 'sensors.samplesPerEnvelope', 1, MAX_SENSOR_READINGS);
  check(samplesPerEnvelope * sensors.length <= MAX_SENSOR_READINGS, 'sensors.samplesPerEnvelope',
    `at most ${Math.floor(MAX_SENSOR_READINGS / sensors.length)} (${sensors.length} sensors a sample, ${MAX_SENSOR_READINGS} readings an envelope)`);
  return {
    port: o.port as string,
    baudRate: o.baudRate === undefined ? 57_600 : int(o.baudRate, 'sensors.baudRate', 300, 1_000_000),
    collector: collector?.id ?? (o.collector as string).toLowerCase(),
    ...(collector ? { collectorKeyHex: collector.keyHex } : {}),
    keyHex: (o.keyHex as string).toLowerCase(),
    sampleEveryMs: o.sampleEveryMs === undefined ? 60_000 : int(o.sampleEveryMs, 'sensors.sampleEveryMs', 1000, 86_400_000),
    samplesPerEnvelope,
    sensors,
  };
}

function labelsOf(raw: unknown, field: string): Record<number, string> {
  if (raw === undefined) return {};
  check(isObject(raw), field, 'an object of quantity code ("1".."255") to a name');
  const labels: Record<number, string> = {};
  for (const [code, name] of Object.entries(raw as JsonObject)) {
    check(/^\d{1,3}$/.test(code) && Number(code) >= 1 && Number(code) <= 255, `${field}["${code}"]`, 'keyed by a quantity code 1..255');
    check(typeof name === 'string' && NAME.test(name), `${field}["${code}"]`, 'a name of a-z, 0-9 and - (at most 32)');
    labels[Number(code)] = name as string;
  }
  return labels;
}

export function parseCollectorConfig(raw: unknown): CollectorConfig {
  check(isObject(raw), 'collector', 'an object { sources: [...] }');
  const o = raw as JsonObject;
  onlyKnown(o, 'collector', ['sources']);
  check(Array.isArray(o.sources) && o.sources.length > 0 && o.sources.length <= 1000, 'collector.sources', 'a list of 1..1000 sensor relays');
  const sources = (o.sources as unknown[]).map((s, i): SensorSource => {
    const field = `collector.sources[${i}]`;
    check(isObject(s), field, 'an object { name, keyHex }');
    const src = s as JsonObject;
    onlyKnown(src, field, ['name', 'keyHex', 'node', 'labels']);
    check(typeof src.name === 'string' && NAME.test(src.name), `${field}.name`, 'a name of a-z, 0-9 and - (at most 32)');
    check(typeof src.keyHex === 'string' && KEY_HEX.test(src.keyHex), `${field}.keyHex`, '64 hex digits (the key in the sensor relay\'s sensors.keyHex)');
    const node = src.node === undefined ? undefined : nodeKey(src.node, `${field}.node`, SOURCE_NODE_EXPECTED);
    return {
      name: src.name as string, keyHex: (src.keyHex as string).toLowerCase(), ...(node ? { node } : {}), labels: labelsOf(src.labels, `${field}.labels`),
    };
  });
  sources.forEach((s, i) => {
    check(sources.findIndex((t) => t.name === s.name) === i, `collector.sources[${i}].name`, `unique ("${s.name}" is used twice)`);
    check(sources.findIndex((t) => t.keyHex === s.keyHex) === i, `collector.sources[${i}].keyHex`, 'a key no other source uses');
  });
  return { sources };
}
