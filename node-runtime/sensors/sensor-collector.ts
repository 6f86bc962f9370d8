/**
 * The collector's side of field sensors: opens sensor envelopes that reach
 * its mailbox (openSensorReading: authenticated, decrypted, replay-checked
 * against the sensor's window) and keeps the readings, stamped with the
 * receipt time and their index in the envelope (sensor-relay.ts sends them
 * in sampling order, without times of their own). Hostile or replayed
 * envelopes are data: refused with the decoder's reason, nothing stored.
 *
 * Storage is behind SensorReadingStore, which keeps each sensor's replay
 * window with its readings (node-runtime/store/sensor-readings.ts: SQLite,
 * so a restart forgets neither); the in-memory one here serves tests.
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
  /** The sensor's replay window as last stored (a fresh one for a new sensor); a copy. */
  window(sensor: string): ReplayWindow;
  /** Stores the readings of one envelope and the window that accepted them, atomically. */
  add(sensor: string, window: ReplayWindow, readings: readonly StoredReading[]): void;
  /** Readings of one sensor (or all), oldest first; `limit`: the newest n. */
  history(query?: { readonly sensor?: string; readonly limit?: number }): StoredReading[];
  /** The newest reading of each (sensor, quantity). */
  latest(): StoredReading[];
}

export class MemorySensorStore implements SensorReadingStore {
  private readonly rows: StoredReading[] = [];
  private readonly windows = new Map<string, ReplayWindow>();
  window(sensor: string): ReplayWindow {
    const w = this.windows.get(sensor);
    return w ? new ReplayWindow(w.highest, w.bitmap) : new ReplayWindow();
  }
  add(sensor: string, window: ReplayWindow, readings: readonly StoredReading[]): void {
    this.rows.push(...readings);
    this.windows.set(sensor, new ReplayWindow(window.highest, window.bitmap));
  }
  history(query: { readonly sensor?: string; readonly limit?: number } = {}): StoredReading[] {
    const rows = this.rows.filter((r) => query.sensor === undefined || r.sensor === query.sensor);
    return query.limit === undefined ? rows : rows.slice(-query.limit);
  }
  latest(): StoredReading[] {
    const last = new Map<string, StoredReading>();
    for (const r of this.rows) last.set(`${r.sensor}/${r.quantity}`, r);
    return [...last.values()];
  }
}

export type CollectResult = { ok: true; stored: number } | { ok: false; reason: string };

export class SensorCollector {
  private readonly keys = new Map<string, Uint8Array>();

  constructor(private readonly suite: CryptoSuite, private readonly clock: Clock, readonly store: SensorReadingStore) {}

  /** Registers a sensor's key; returns its id (hex). */
  addSensor(key: Uint8Array): string {
    const id = toHex(sensorId(this.suite, key));
    this.keys.set(id, key);
    return id;
  }

  /** Whether an envelope names a sensor registered here (a cheap look at its clear header). */
  knows(sensorIdHex: string): boolean {
    return this.keys.has(sensorIdHex);
  }

  accept(envelope: Uint8Array): CollectResult {
    let window: ReplayWindow | undefined;
    const lookup = (id: Uint8Array): SensorKeyEntry | undefined => {
      const hex = toHex(id);
      const key = this.keys.get(hex);
      if (!key) return undefined;
      window = this.store.window(hex);
      return { key, window };
    };
    // openSensorReading marks the window only after the tag verified and the counter was fresh.
    const opened = openSensorReading(this.suite, envelope, lookup);
    if (!opened.ok) return { ok: false, reason: opened.code };
    const sensor = toHex(opened.value.sensorId);
    const receivedAtMs = this.clock.now();
    const rows = opened.value.readings.map((r, index) => ({
      sensor, counter: opened.value.counter, index, quantity: r.quantity, value: r.value, receivedAtMs,
    }));
    this.store.add(sensor, window!, rows);
    return { ok: true, stored: rows.length };
  }
}
