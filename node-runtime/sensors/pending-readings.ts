/**
 * A sensor relay's readings not yet sent, kept until an envelope carrying
 * them has been handed to the mesh. In the node's store file
 * (`store.database()`, table `sensor_pending`, WAL with synchronous=FULL:
 * a reading added is on the SD card before add() returns), so readings
 * sampled but not yet batched survive a stop, kill -9 or a power cut and
 * travel in the next envelope after the restart.
 *
 * Delivery is at least once: a crash after the mesh took an envelope and
 * before remove() sends those readings again under a new counter (the
 * collector then keeps them twice; a counter is never reused). The table
 * is bounded (oldest readings dropped first), so a mesh that stays down
 * cannot fill the card.
 */
import type Database from 'better-sqlite3';
import type { SensorReading } from '../../protocol/envelope/sensor.ts';

/** Readings kept unsent: at four sensors a minute, about 40 hours without a route. */
export const DEFAULT_MAX_PENDING_READINGS = 10_000;

export interface PendingBatch {
  readonly readings: SensorReading[];
  /** Pass to remove() once the envelope carrying them is sent. */
  readonly upTo: number;
}

export interface PendingReadings {
  /** Keeps one sample's readings (durably); returns how many old readings the bound dropped. */
  add(readings: readonly SensorReading[]): number;
  /** The oldest readings, at most `max`, in sampling order. */
  take(max: number): PendingBatch;
  remove(upTo: number): void;
  /** Readings kept. */
  size(): number;
  /** Samples with a reading kept. */
  samples(): number;
}

/** For tests and nodes without a store: the same contract, nothing survives the process. */
export class MemoryPendingReadings implements PendingReadings {
  private rows: { seq: number; sample: number; reading: SensorReading }[] = [];
  private seq = 0;
  private sample = 0;

  constructor(private readonly max = DEFAULT_MAX_PENDING_READINGS) {}

  add(readings: readonly SensorReading[]): number {
    this.sample++;
    for (const reading of readings) this.rows.push({ seq: ++this.seq, sample: this.sample, reading: { quantity: reading.quantity, value: reading.value } });
    const dropped = Math.max(0, this.rows.length - this.max);
    this.rows.splice(0, dropped);
    return dropped;
  }

  take(max: number): PendingBatch {
    const rows = this.rows.slice(0, max);
    return { readings: rows.map((r) => r.reading), upTo: rows.at(-1)?.seq ?? 0 };
  }

  remove(upTo: number): void {
    this.rows = this.rows.filter((r) => r.seq > upTo);
  }

  size(): number {
    return this.rows.length;
  }

  samples(): number {
    return new Set(this.rows.map((r) => r.sample)).size;
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sensor_pending (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sample INTEGER NOT NULL,
  quantity INTEGER NOT NULL,
  value INTEGER NOT NULL
) STRICT;`;

export class SqlitePendingReadings implements PendingReadings {
  private readonly insert: Database.Statement<[number, number, number]>;
  private readonly addSample: (readings: readonly SensorReading[]) => number;

  constructor(private readonly db: Database.Database, private readonly max = DEFAULT_MAX_PENDING_READINGS) {
    db.exec(SCHEMA);
    this.insert = db.prepare('INSERT INTO sensor_pending (sample, quantity, value) VALUES (?, ?, ?)');
    const lastSample = db.prepare<[], { s: number | null }>('SELECT max(sample) AS s FROM sensor_pending');
    const trim = db.prepare<[number]>('DELETE FROM sensor_pending WHERE seq IN (SELECT seq FROM sensor_pending ORDER BY seq DESC LIMIT -1 OFFSET ?)');
    // One transaction per sample: a crash keeps a sample whole or not at all.
    this.addSample = db.transaction((readings: readonly SensorReading[]) => {
      const sample = (lastSample.get()!.s ?? 0) + 1;
      for (const r of readings) this.insert.run(sample, r.quantity, r.value);
      return trim.run(this.max).changes;
    });
  }

  add(readings: readonly SensorReading[]): number {
    return this.addSample(readings);
  }

  take(max: number): PendingBatch {
    const rows = this.db.prepare<[number], { seq: number; quantity: number; value: number }>(
      'SELECT seq, quantity, value FROM sensor_pending ORDER BY seq LIMIT ?').all(max);
    return { readings: rows.map((r) => ({ quantity: r.quantity, value: r.value })), upTo: rows.at(-1)?.seq ?? 0 };
  }

  remove(upTo: number): void {
    this.db.prepare('DELETE FROM sensor_pending WHERE seq <= ?').run(upTo);
  }

  size(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sensor_pending').get()!.n;
  }

  samples(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(DISTINCT sample) AS n FROM sensor_pending').get()!.n;
  }
}
