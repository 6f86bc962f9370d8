/**
 * Schema version 2: the outbox keeps the mailbox tag of an envelope in a
 * column of its own, beside the envelope, instead of inside it.
 *
 * Until version 1 the outbox had one opaque `bytes` column, so the gateway
 * packed each Internet-bound deposit into a private record:
 *
 *   0       1             1+n
 *   +-------+-------------+------------------+
 *   | n     | tag (n B)   | envelope (rest)  |
 *   +-------+-------------+------------------+
 *   n: tag length, 4..32; envelope: at least 1 byte
 *
 * This step adds the nullable `tag` column and unpacks every row of the
 * gateway queue into (tag, envelope), in the migration's one transaction
 * (./schema.ts): a crash half-way leaves the file at version 1, whole. Row
 * ids stay as they were (the id was always computed from tag and envelope,
 * protocol/envelope/envelope-id.ts), so the queue's log of sent ids still
 * refuses a late re-enqueue.
 *
 * A gateway row that does not unpack (disk damage: only the gateway wrote
 * that queue) keeps its bytes and gets no tag. The gateway drops a tagless
 * item when it comes due, as it dropped an unreadable record before.
 *
 * The queue's byte counter now counts envelopes only (the store's quota is
 * "the sum of envelope sizes", seams/store.ts), so it is recomputed here:
 * the counting triggers fire on insert and delete, not on this update.
 */
import type { Database } from 'better-sqlite3';
import { ByteReader } from '../../protocol/codec/reader.ts';
import { type DecodeResult, ok } from '../../protocol/codec/result.ts';
import { GATEWAY_OUTBOX_QUEUE, STORE_LIMITS } from '../../seams/store.ts';

/** Rows converted per query, so that a full queue (64 MiB) is never loaded at once. */
const PAGE_ROWS = 1000;

export const OUTBOX_TAG_COLUMN_SQL = `
ALTER TABLE outbox ADD COLUMN tag BLOB
  CHECK (tag IS NULL OR (typeof(tag) = 'blob' AND length(tag) BETWEEN ${STORE_LIMITS.tagMinBytes} AND ${STORE_LIMITS.tagMaxBytes}));
`;

export interface LegacyGatewayRecord {
  readonly tag: Uint8Array;
  readonly envelope: Uint8Array;
}

/** Reads a row the gateway packed before schema version 2 (layout above). Never throws. */
export function decodeLegacyGatewayRecord(bytes: Uint8Array): DecodeResult<LegacyGatewayRecord> {
  const r = new ByteReader(bytes);
  const n = r.u8('tag length');
  if (!r.failed && (n < STORE_LIMITS.tagMinBytes || n > STORE_LIMITS.tagMaxBytes)) {
    return r.reject('bad-value', `tag length ${n} outside ${STORE_LIMITS.tagMinBytes}..${STORE_LIMITS.tagMaxBytes}`);
  }
  const tag = r.copy(n, 'tag');
  const envelope = r.rest();
  if (r.error) return r.error;
  if (envelope.length === 0) return r.reject('truncated', 'empty envelope');
  return ok({ tag, envelope });
}

export function migrateOutboxTag(db: Database): void {
  db.exec(OUTBOX_TAG_COLUMN_SQL);
  const page = db.prepare<[string, number, number], { seq: number; bytes: Uint8Array }>(
    'SELECT seq, bytes FROM outbox WHERE queue = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const unpack = db.prepare<[Uint8Array, Uint8Array, number, number]>('UPDATE outbox SET tag = ?, bytes = ?, size = ? WHERE seq = ?');
  let after = 0;
  for (;;) {
    const rows = page.all(GATEWAY_OUTBOX_QUEUE, after, PAGE_ROWS);
    if (rows.length === 0) break;
    for (const row of rows) {
      const record = decodeLegacyGatewayRecord(row.bytes);
      if (record.ok) unpack.run(record.value.tag, record.value.envelope, record.value.envelope.length, row.seq);
    }
    after = (rows[rows.length - 1] as { seq: number }).seq;
  }
  db.prepare<[string]>(
    'UPDATE outbox_queues SET bytes = (SELECT coalesce(sum(size), 0) FROM outbox WHERE outbox.queue = outbox_queues.queue) WHERE queue = ?',
  ).run(GATEWAY_OUTBOX_QUEUE);
}
