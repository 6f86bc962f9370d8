/**
 * The `sensors` block (this node is a field sensor relay: an Arduino with
 * StandardFirmata on `port`) and the `collector` block (this node keeps the
 * readings of the sensor relays it lists) of the node configuration.
 *
 *   "sensors": { "port": "/dev/ttyACM0", "collector": "<collector node id>", "keyHex": "<64 hex>",
 *                "sampleEveryMs": 60000, "samplesPerEnvelope": 4,
 *                "sensors": [{ "name": "air-temp", "kind": "temperature", "pin": "A0" }, ...] }
 *   "collector": { "sources": [{ "name": "shed", "keyHex": "<64 hex>", "labels": { "1": "air-temp" } }] }
 *
 * The key is the sensor's 32-byte key, the same on both ends (it names the
 * sensor to the collector and seals its readings): the configuration file
 * must be readable by the node's user only. Readings carry a quantity code,
 * not a name, so one relay's sensors must report distinct quantities; the
 * collector's `labels` name them back.
 */
import { check, int, isObject, onlyKnown, type JsonObject } from '../../node-runtime/links/config-fields.ts';
import { DEFAULT_QUANTITY, type SensorKind, type SensorSpec } from '../../hardware/sensors/firmata-sensors.ts';
import { MAX_SENSOR_READINGS } from '../../protocol/envelope/sensor.ts';

export interface SensorRelayConfig {
  /** The serial port of the Firmata board. */
  readonly port: string;
  readonly baudRate: number;
  /** The collector's mesh node id, 16 hex digits (as `meow status` prints it). */
  readonly collector: string;
  readonly keyHex: string;
  readonly sampleEveryMs: number;
  readonly samplesPerEnvelope: number;
  readonly sensors: readonly SensorSpec[];
}

export interface SensorSource {
  readonly name: string;
  readonly keyHex: string;
  /** Quantity code to the name shown by `meow sensors`. */
  readonly labels: Readonly<Record<number, string>>;
}

export interface CollectorConfig {
  readonly sources: readonly SensorSource[];
}

const NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const KEY_HEX = /^[0-9a-f]{64}$/i;
const KINDS: readonly SensorKind[] = ['temperature', 'humidity', 'digital', 'analog'];
const SENSOR_FIELDS = ['name', 'kind', 'pin', 'quantity'];

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
  check(typeof o.collector === 'string' && /^[0-9a-f]{16}$/i.test(o.collector), 'sensors.collector',
    'the collector node\'s id, 16 hex digits (the "node" line of `meow status` on the collector)');
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
    collector: (o.collector as string).toLowerCase(),
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
    onlyKnown(src, field, ['name', 'keyHex', 'labels']);
    check(typeof src.name === 'string' && NAME.test(src.name), `${field}.name`, 'a name of a-z, 0-9 and - (at most 32)');
    check(typeof src.keyHex === 'string' && KEY_HEX.test(src.keyHex), `${field}.keyHex`, '64 hex digits (the key in the sensor relay\'s sensors.keyHex)');
    return { name: src.name as string, keyHex: (src.keyHex as string).toLowerCase(), labels: labelsOf(src.labels, `${field}.labels`) };
  });
  sources.forEach((s, i) => {
    check(sources.findIndex((t) => t.name === s.name) === i, `collector.sources[${i}].name`, `unique ("${s.name}" is used twice)`);
    check(sources.findIndex((t) => t.keyHex === s.keyHex) === i, `collector.sources[${i}].keyHex`, 'a key no other source uses');
  });
  return { sources };
}
