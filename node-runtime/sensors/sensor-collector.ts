/**
 * The collector's side of field sensors: opens sensor envelopes that reach
 * its mailbox (openSensorReading: authenticated, decrypted, replay-checked
 * against the sensor's window) and keeps the readings, stamped with the
 * receipt time and their index in the envelope (sensor-relay.ts sends them
 * in sampling order, without times of their own). Hostile or replayed
 * envelopes are data: refused with the decoder's reason, nothing stored.
 *
 * Storage is behind SensorReadingStore; the in-memory one here serves tests
 * and a collector that exports as it goes.
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { openSensorReading, type SensorKeyEntry, sensorId } from '../../protocol/envelope/sensor.ts';
import { ReplayWindow } from '../../protocol/envelope/replay-window.ts';
import type { Clock } from '../../seams/clock.ts';

export interface StoredReading {
  /** The sensor's 4-byte id, hex. */
  readonly sensor: string;
  readonly counter: number;
  readonly index: number;
  readonly quantity: number;
  readonly value: number;
  readonly receivedAtMs: number;
}

export interface SensorReadingStore {
  add(readings: readonly StoredReading[]): void;
  /** Readings of one sensor (or all), oldest first. */
  history(sensor?: string): StoredReading[];
  /** The newest reading of each (sensor, quantity). */
  latest(): StoredReading[];
}

export class MemorySensorStore implements SensorReadingStore {
  private readonly rows: StoredReading[] = [];
  add(readings: readonly StoredReading[]): void {
    this.rows.push(...readings);
  }
  history(sensor?: string): StoredReading[] {
    return this.rows.filter((r) => sensor === undefined || r.sensor === sensor);
  }
  latest(): StoredReading[] {
    const last = new Map<string, StoredReading>();
    for (const r of this.rows) last.set(`${r.sensor}/${r.quantity}`, r);
    return [...last.values()];
  }
}

export type CollectResult = { ok: true; stored: number } | { ok: false; reason: string };

export class SensorCollector {
  private readonly sensors = new Map<string, SensorKeyEntry>();

  constructor(private readonly suite: CryptoSuite, private readonly clock: Clock, readonly store: SensorReadingStore) {}

  /** Registers a sensor's key; returns its id (hex). */
  addSensor(key: Uint8Array): string {
    const id = toHex(sensorId(this.suite, key));
    this.sensors.set(id, { key, window: new ReplayWindow() });
    return id;
  }

  accept(envelope: Uint8Array): CollectResult {
    const opened = openSensorReading(this.suite, envelope, (id) => this.sensors.get(toHex(id)));
    if (!opened.ok) return { ok: false, reason: opened.code };
    const sensor = toHex(opened.value.sensorId);
    const receivedAtMs = this.clock.now();
    const rows = opened.value.readings.map((r, index) => ({
      sensor, counter: opened.value.counter, index, quantity: r.quantity, value: r.value, receivedAtMs,
    }));
    this.store.add(rows);
    return { ok: true, stored: rows.length };
  }
}
