/**
 * Sensor reading (kind 0x5): a few integer readings from a field sensor,
 * encrypted and authenticated with the sensor's 32-byte key (shared with its
 * collector, e.g. derived from the device's Dkp X25519 key by
 * sensorKeyFromAgreement). Compact: one temperature (|value| < 8192) costs 28 bytes.
 *
 *   offset 0       1             5              9                    len
 *          +-------+-------------+--------------+--------------------+
 *          | 0x15  | sensor id   | counter      | ChaCha20-Poly1305  |
 *          |       | 4 bytes     | u32 BE       | (readings) + tag   |
 *          +-------+-------------+--------------+--------------------+
 *          \______ associated data ____________/
 *
 *   readings = 1..16 x { u8 quantity, zigzag varint value (|value| < 2^31) }
 *   sensor id = HKDF(key, info "meow/sensor-id/v1")[0..4]  (names the key, reveals nothing of it)
 *   nonce     = 8 zero bytes || u32 counter; the sensor persists its counter
 *               and the collector keeps a replay window per sensor.
 */
import { concatBytes, utf8 } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { ByteWriter } from '../codec/writer.ts';
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES, type CryptoSuite, KEY_BYTES } from '../crypto/suite.ts';
import type { ReplayWindow } from './replay-window.ts';
import { EnvelopeError, type OpenResult, openFail } from './errors.ts';
import { EnvelopeKind, versionKindByte } from './kinds.ts';
import { checkVersionKind } from './version-kind.ts';

export const SENSOR_ID_BYTES = 4;
export const SENSOR_HEADER_BYTES = 1 + SENSOR_ID_BYTES + 4;
export const MAX_SENSOR_READINGS = 16;
const MAX_ABS_VALUE = 2 ** 31 - 1;
const SENSOR_ID_INFO = utf8('meow/sensor-id/v1');
const SENSOR_KEY_INFO = utf8('meow/sensor-key/v1');

/** Quantity codes with their units (0x80-0xff: application defined). */
export const SensorQuantity = {
  temperatureCentiCelsius: 1,
  relativeHumidityCentiPercent: 2,
  pressurePascal: 3,
  batteryMillivolt: 4,
  illuminanceLux: 5,
  waterLevelMillimetre: 6,
  windSpeedCentimetrePerSecond: 7,
  rainTenthMillimetre: 8,
} as const;

export interface SensorReading {
  readonly quantity: number;
  readonly value: number;
}

export interface SensorMessage {
  readonly sensorId: Uint8Array;
  readonly counter: number;
  readonly readings: readonly SensorReading[];
}

export interface SensorClearFields {
  readonly sensorId: Uint8Array;
  readonly counter: number;
  readonly sealed: Uint8Array;
}

export function sensorId(suite: CryptoSuite, key: Uint8Array): Uint8Array {
  if (key.length !== KEY_BYTES) throw new EnvelopeError('bad-argument', 'sensor key must be 32 bytes');
  return suite.hkdf(key, new Uint8Array(0), SENSOR_ID_INFO, SENSOR_ID_BYTES);
}

/** The sensor key both ends derive from an X25519 exchange (device Dkp with the collector's key). */
export function sensorKeyFromAgreement(suite: CryptoSuite, mySecret: Uint8Array, theirPublic: Uint8Array): Uint8Array | undefined {
  const shared = suite.x25519(mySecret, theirPublic);
  if (!shared) return undefined;
  const key = suite.hkdf(shared, new Uint8Array(0), SENSOR_KEY_INFO, KEY_BYTES);
  shared.fill(0);
  return key;
}

function nonceFor(counter: number): Uint8Array {
  const nonce = new Uint8Array(AEAD_NONCE_BYTES);
  new DataView(nonce.buffer).setUint32(8, counter);
  return nonce;
}

function encodeReadings(readings: readonly SensorReading[]): Uint8Array {
  if (readings.length < 1 || readings.length > MAX_SENSOR_READINGS) {
    throw new EnvelopeError('bad-argument', `1..${MAX_SENSOR_READINGS} readings per message`);
  }
  const w = new ByteWriter(readings.length * 4);
  for (const { quantity, value } of readings) {
    if (!Number.isInteger(value) || Math.abs(value) > MAX_ABS_VALUE) throw new EnvelopeError('bad-argument', `reading out of range: ${value}`);
    w.u8(quantity).varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }
  return w.finish();
}

function decodeReadings(bytes: Uint8Array, base: number): DecodeResult<SensorReading[]> {
  const r = new ByteReader(bytes, base);
  const readings: SensorReading[] = [];
  while (r.remaining > 0) {
    if (readings.length === MAX_SENSOR_READINGS) return fail('too-long', r.offset, `more than ${MAX_SENSOR_READINGS} readings`);
    const quantity = r.u8('quantity');
    const zigzag = r.varint('value', 2 * MAX_ABS_VALUE, 5);
    if (r.failed) return r.error!;
    readings.push({ quantity, value: zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2 });
  }
  if (readings.length === 0) return fail('truncated', base, 'no reading');
  return ok(readings);
}

/** Seals readings; `counter` must never repeat under one key (persist it before sending). */
export function sealSensorReading(
  suite: CryptoSuite, key: Uint8Array, counter: number, readings: readonly SensorReading[],
): Uint8Array {
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) throw new EnvelopeError('bad-argument', `counter out of range: ${counter}`);
  const header = new Uint8Array(SENSOR_HEADER_BYTES);
  header[0] = versionKindByte(EnvelopeKind.sensor);
  header.set(sensorId(suite, key), 1);
  new DataView(header.buffer).setUint32(1 + SENSOR_ID_BYTES, counter);
  return concatBytes(header, suite.aeadSeal(key, nonceFor(counter), encodeReadings(readings), header));
}

export function decodeSensorHeader(bytes: Uint8Array): DecodeResult<SensorClearFields> {
  const r = new ByteReader(bytes);
  const first = checkVersionKind(r, EnvelopeKind.sensor);
  if (!first.ok) return first;
  const id = r.bytes(SENSOR_ID_BYTES, 'sensor id');
  const counter = r.u32('counter');
  if (r.failed) return r.error!;
  // Each reading is at least 2 bytes; the cap keeps a hostile length out of the AEAD.
  if (r.remaining < 2 + AEAD_TAG_BYTES) return fail('truncated', r.offset, 'sealed readings too short');
  if (r.remaining > MAX_SENSOR_READINGS * 6 + AEAD_TAG_BYTES) return fail('too-long', r.offset, 'sealed readings too long');
  return ok({ sensorId: id, counter, sealed: r.bytes(r.remaining, 'sealed') });
}

/** The collector's view of one sensor: its key and the replay window of its counters. */
export interface SensorKeyEntry {
  readonly key: Uint8Array;
  readonly window: ReplayWindow;
}

/** Authenticates, decrypts and replay-checks a reading; marks its counter only when all checks pass. */
export function openSensorReading(
  suite: CryptoSuite, bytes: Uint8Array, lookup: (sensorId: Uint8Array) => SensorKeyEntry | undefined,
): OpenResult<SensorMessage> {
  const d = decodeSensorHeader(bytes);
  if (!d.ok) return d;
  const entry = lookup(d.value.sensorId);
  if (!entry) return openFail('unknown-sender', 1, 'unknown sensor id');
  const header = bytes.subarray(0, SENSOR_HEADER_BYTES);
  const plain = suite.aeadOpen(entry.key, nonceFor(d.value.counter), d.value.sealed, header);
  if (!plain) return openFail('bad-mac', bytes.length - AEAD_TAG_BYTES, 'sensor reading does not authenticate');
  if (entry.window.check(d.value.counter) !== 'fresh') return openFail('replay', 5, 'sensor counter already seen');
  const readings = decodeReadings(plain, SENSOR_HEADER_BYTES);
  if (!readings.ok) return readings;
  entry.window.mark(d.value.counter);
  return ok({ sensorId: d.value.sensorId.slice(), counter: d.value.counter, readings: readings.value });
}
