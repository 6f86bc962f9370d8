/**
 * A node.db as a node of schema version 1 left it, for the migration tests:
 * the v1 schema (the released first migration, run alone) and outbox rows
 * written the way the v1 store wrote them, with the gateway's deposits
 * packed in the record format of that time:
 *
 *   | n (1 B) | tag (n B, 4..32) | envelope (rest, >= 1 B) |
 */
import Database from 'better-sqlite3';
import { migrate, MIGRATIONS } from '../../node-runtime/store/schema.ts';
import { OUTBOX_SENT_NAMESPACE_PREFIX } from '../../node-runtime/store/seen-log.ts';

export interface V1OutboxRow {
  readonly queue: string;
  readonly id: Uint8Array;
  readonly destination: string;
  readonly bytes: Uint8Array;
  readonly priority?: number;
  readonly createdAt?: number;
  readonly expiresAt?: number;
}

/** The gateway's record of (tag, envelope) before schema version 2. */
export function packV1GatewayRecord(tag: Uint8Array, envelope: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + tag.length + envelope.length);
  out[0] = tag.length;
  out.set(tag, 1);
  out.set(envelope, 1 + tag.length);
  return out;
}

/** Writes a version-1 store at `path` holding `rows` (in this order), and `sent` ids in each queue's sent log. */
export function writeV1Store(path: string, rows: readonly V1OutboxRow[], sent: readonly { queue: string; id: Uint8Array }[] = []): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrate(db, path, MIGRATIONS.slice(0, 1));
  const ensureQueue = db.prepare('INSERT OR IGNORE INTO outbox_queues (queue) VALUES (?)');
  const insert = db.prepare(
    `INSERT INTO outbox (queue, id, destination, priority, bytes, size, created_at, expires_at, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const remember = db.prepare('INSERT INTO seen_ids (namespace, id, expires_at) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const r of rows) {
      ensureQueue.run(r.queue);
      const createdAt = r.createdAt ?? 1_000_000;
      insert.run(r.queue, r.id, r.destination, r.priority ?? 3, r.bytes, r.bytes.length, createdAt, r.expiresAt ?? 1e15, createdAt);
    }
    for (const s of sent) remember.run(`${OUTBOX_SENT_NAMESPACE_PREFIX}${s.queue}`, s.id, 1e15);
  })();
  db.close();
}
