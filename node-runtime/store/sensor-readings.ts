/**
 * A collector's sensor readings, kept in the node's store file
 * (`store.database()`, tables prefixed `sensor_`, seams/store.ts): every
 * reading with its receipt time, and each sensor's replay window (the
 * highest counter accepted and the bitmap below it, RFC 4303 3.4.3), so a
 * copy of an old envelope is still refused after a restart.
 *
 * add() writes the readings and the window that accepted them in one
 * transaction: a crash leaves both or neither (synchronous=FULL). History
 * is bounded per sensor (oldest rows go first), so even an authentic but
 * chatty sensor cannot fill the SD card.
 */
import type Database from 'better-sqlite3';
import { ReplayWindow } from '../../protocol/envelope/replay-window.ts';
import type { SensorReadingStore, StoredReading } from '../sensors/sensor-collector.ts';

/** Readings kept per sensor: a reading a minute for about a week. */
export const DEFAULT_MAX_READINGS_PER_SENSOR = 10_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sensor_readings (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sensor TEXT NOT NULL,
  counter INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  quantity INTEGER NOT NULL,
  value INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  UNIQUE (sensor, counter, idx)
) STRICT;
CREATE INDEX IF NOT EXISTS sensor_readings_by_sensor ON sensor_readings (sensor, seq);
CREATE TABLE IF NOT EXISTS sensor_windows (
  sensor TEXT PRIMARY KEY,
  highest INTEGER NOT NULL,
  bitmap TEXT NOT NULL
) STRICT;`;

interface Row {
  sensor: string;
  counter: number;
  idx: number;
  quantity: number;
  value: number;
  received_at: number;
}

function toReading(r: Row): StoredReading {
  return { sensor: r.sensor, counter: r.counter, index: r.idx, quantity: r.quantity, value: r.value, receivedAtMs: r.received_at };
}

export interface HistoryQuery {
  readonly sensor?: string;
  /** Newest n readings (still returned oldest first). */
  readonly limit?: number;
}

export class SqliteSensorStore implements SensorReadingStore {
  private readonly insert: Database.Statement<[string, number, number, number, number, number]>;
  private readonly putWindow: Database.Statement<[string, number, string]>;
  private readonly getWindow: Database.Statement<[string], { highest: number; bitmap: string }>;
  private readonly trim: Database.Statement<[string, string, number]>;

  constructor(private readonly db: Database.Database, private readonly maxPerSensor = DEFAULT_MAX_READINGS_PER_SENSOR) {
    db.exec(SCHEMA);
    this.insert = db.prepare('INSERT INTO sensor_readings (sensor, counter, idx, quantity, value, received_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.putWindow = db.prepare(`INSERT INTO sensor_windows (sensor, highest, bitmap) VALUES (?, ?, ?)
      ON CONFLICT (sensor) DO UPDATE SET highest = excluded.highest, bitmap = excluded.bitmap`);
    this.getWindow = db.prepare('SELECT highest, bitmap FROM sensor_windows WHERE sensor = ?');
    this.trim = db.prepare(`DELETE FROM sensor_readings WHERE sensor = ? AND seq <= (
      SELECT seq FROM sensor_readings WHERE sensor = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`);
  }

  window(sensor: string): ReplayWindow {
    const row = this.getWindow.get(sensor);
    return row ? new ReplayWindow(row.highest, BigInt(`0x${row.bitmap}`)) : new ReplayWindow();
  }

  add(sensor: string, window: ReplayWindow, readings: readonly StoredReading[]): void {
    this.db.transaction(() => {
      for (const r of readings) this.insert.run(r.sensor, r.counter, r.index, r.quantity, r.value, r.receivedAtMs);
      this.putWindow.run(sensor, window.highest, window.bitmap.toString(16));
      this.trim.run(sensor, sensor, this.maxPerSensor);
    })();
  }

  history(query: HistoryQuery = {}): StoredReading[] {
    const limit = query.limit ?? -1;
    const rows = query.sensor === undefined
      ? this.db.prepare('SELECT * FROM sensor_readings ORDER BY seq DESC LIMIT ?').all(limit) as Row[]
      : this.db.prepare('SELECT * FROM sensor_readings WHERE sensor = ? ORDER BY seq DESC LIMIT ?').all(query.sensor, limit) as Row[];
    return rows.reverse().map(toReading);
  }

  latest(): StoredReading[] {
    const rows = this.db.prepare(`SELECT r.* FROM sensor_readings r
      JOIN (SELECT max(seq) AS seq FROM sensor_readings GROUP BY sensor, quantity) m ON r.seq = m.seq
      ORDER BY r.sensor, r.quantity`).all() as Row[];
    return rows.map(toReading);
  }
}
