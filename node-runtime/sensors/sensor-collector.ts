/**
 * The collector's side of field sensors: opens sensor envelopes that reach
 * its mailbox (openSensorReading: authenticated, decrypted, replay-checked
 * against the sensor's window) and keeps the readings, stamped with the
 * receipt time and their index in the envelope (sensor-relay.ts sends them
 * in sampling order, without times of their own). Hostile or replayed
 * envelopes are data: refused with the decoder's reason, nothing stored.
 *
 * A sensor registered with its node's key (addSensor's `node`) is kept only
 * from that node: the router must have authenticated the envelope's origin
 * (DeliverMeta.source, node-runtime/router/types.ts) as that key. The
 * readings are sealed under the sensor key either way, so no other node can
 * forge them; what the pin adds is that the sensor key alone is no longer
 * enough (it is in two configuration files: a copy leaked from the
 * collector's lets its holder write that source's readings from any node,
 * not from this one), and that a sensor sending without an authenticated
 * origin is noticed (refused, logged) instead of silently accepted.
 *
 * Storage is behind SensorReadingStore, which keeps each sensor's replay
 * window with its readings (node-runtime/store/sensor-readings.ts: SQLite,
 * so a restart forgets neither); the in-memory one here serves tests.
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { constantTimeEqual, toHex } from '../../protocol/codec/bytes.ts';
import { decodeSensorHeader, openSensorReading, type SensorKeyEntry, sensorId } from '../../protocol/envelope/sensor.ts';
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

/**
 * Why a sensor pinned to its node was refused before its envelope was
 * opened: it came with no authenticated origin, or authenticated as another
 * node. Unlike a forgery or a replay, the sensor's own envelope can be
 * refused so (a relay configured with the collector's id only, beyond one
 * hop): the caller leaves it unacknowledged, so the sensor keeps its readings.
 */
export const ORIGIN_REFUSALS = ['unauthenticated-origin', 'wrong-origin'] as const;
export type OriginRefusal = (typeof ORIGIN_REFUSALS)[number];

export type CollectResult = { ok: true; stored: number } | { ok: false; reason: string };

/** The node a direct envelope came from, as the router authenticated it (DeliverMeta.source and sourcePublicKey). */
export interface EnvelopeOrigin {
  readonly source?: Uint8Array;
  readonly sourcePublicKey?: Uint8Array;
}

export class SensorCollector {
  private readonly keys = new Map<string, Uint8Array>();
  /** Sensor id (hex) to the node key its envelopes must be authenticated as. */
  private readonly nodes = new Map<string, { readonly id: Uint8Array; readonly publicKey: Uint8Array }>();

  constructor(private readonly suite: CryptoSuite, private readonly clock: Clock, readonly store: SensorReadingStore) {}

  /** Registers a sensor's key, and the node it must come from when `node` is given (its id and Ed25519 key); returns its id (hex). */
  addSensor(key: Uint8Array, node?: { readonly id: Uint8Array; readonly publicKey: Uint8Array }): string {
    const id = toHex(sensorId(this.suite, key));
    this.keys.set(id, key);
    if (node) this.nodes.set(id, node);
    return id;
  }

  /** Whether an envelope names a sensor registered here (a cheap look at its clear header). */
  knows(sensorIdHex: string): boolean {
    return this.keys.has(sensorIdHex);
  }

  /** Opens and stores a sensor envelope; `origin`: who the router authenticated as its sender (nothing for an unauthenticated one). */
  accept(envelope: Uint8Array, origin: EnvelopeOrigin = {}): CollectResult {
    const refusal = this.originRefusal(envelope, origin);
    if (refusal) return { ok: false, reason: refusal };
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

  /** Checked before the envelope is opened: a pinned sensor's envelope from elsewhere costs no AEAD and never touches its window. */
  private originRefusal(envelope: Uint8Array, origin: EnvelopeOrigin): OriginRefusal | undefined {
    const header = decodeSensorHeader(envelope);
    if (!header.ok) return undefined; // refused by openSensorReading with the decoder's reason
    const pinned = this.nodes.get(toHex(header.value.sensorId));
    if (!pinned) return undefined;
    if (!origin.source || !origin.sourcePublicKey) return 'unauthenticated-origin';
    const same = constantTimeEqual(origin.source, pinned.id) && constantTimeEqual(origin.sourcePublicKey, pinned.publicKey);
    return same ? undefined : 'wrong-origin';
  }
}
