/**
 * The durable outbox (Outbox in seams/store.ts) on SQLite: one table for every
 * named queue, the envelope and its mailbox tag (when it has one) in typed
 * columns, ordered by (priority, seq) where seq is the enqueue order
 * (AUTOINCREMENT, so never reused), a lease column so that two flush loops
 * never hold the same item, and a queue row whose counters (kept by
 * triggers, ./schema.ts) enforce the byte and message quotas.
 */
import type { Statement } from 'better-sqlite3';
import { checkId, checkInteger, checkLimit, checkName, checkOption, checkPayload, checkTag, checkTime } from './args.ts';
import { backoffDelayMs, checkBackoffPolicy, DEFAULT_BACKOFF } from './backoff.ts';
import type { Connection } from './connection.ts';
import { QuotaExceededError } from './errors.ts';
import type { SeenStatements } from './seen-log.ts';
import { OUTBOX_SENT_NAMESPACE_PREFIX, SqliteSeenLog } from './seen-log.ts';
import type { BackoffPolicy, DueOptions, EnqueueRequest, Outbox, OutboxItem, OutboxOptions, QueueDepth } from '../../seams/store.ts';
import { STORE_LIMITS } from '../../seams/store.ts';

const MiB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

export const OUTBOX_DEFAULTS = {
  maxBytes: 64 * MiB,
  maxMessages: 1_000_000,
  leaseMs: 60_000,
  sentRetentionMs: 7 * DAY_MS,
} as const;

interface OutboxRow {
  seq: number;
  id: Uint8Array;
  destination: string;
  priority: number;
  bytes: Uint8Array;
  /** Schema version 2 (./migrate-outbox-tag.ts); NULL for an envelope enqueued without a tag. */
  tag: Uint8Array | null;
  created_at: number;
  expires_at: number;
  attempts: number;
  next_attempt_at: number;
}

const itemColumns = 'seq, id, destination, priority, bytes, tag, created_at, expires_at, attempts, next_attempt_at';
const dueWhere = 'queue = ? AND next_attempt_at <= ? AND leased_until <= ? AND expires_at > ?';

/** Prepared once per store; every queue handle shares them. */
export class OutboxStatements {
  readonly ensureQueue: Statement<[string]>;
  readonly usage: Statement<[string], { messages: number; bytes: number }>;
  readonly exists: Statement<[string, Uint8Array], { seq: number }>;
  readonly insert: Statement<[string, Uint8Array, string, number, Uint8Array, Uint8Array | null, number, number, number, number]>;
  readonly due: Statement<[string, number, number, number, number], OutboxRow>;
  readonly dueTo: Statement<[string, number, number, number, string, number], OutboxRow>;
  readonly lease: Statement<[number, number]>;
  readonly deleteOne: Statement<[string, Uint8Array]>;
  readonly retry: Statement<[number, string, Uint8Array]>;
  readonly get: Statement<[string, Uint8Array], OutboxRow>;
  readonly depthTo: Statement<[string, string], { messages: number; bytes: number }>;
  readonly expired: Statement<[string, number], { id: Uint8Array }>;
  readonly deleteExpired: Statement<[string, number]>;
  readonly deleteExpiredAllQueues: Statement<[number]>;
  readonly releaseLeases: Statement<[]>;

  constructor(conn: Connection) {
    const db = conn.db;
    this.ensureQueue = db.prepare('INSERT OR IGNORE INTO outbox_queues (queue) VALUES (?)');
    this.usage = db.prepare('SELECT messages, bytes FROM outbox_queues WHERE queue = ?');
    this.exists = db.prepare('SELECT seq FROM outbox WHERE queue = ? AND id = ?');
    this.insert = db.prepare(
      `INSERT INTO outbox (queue, id, destination, priority, bytes, tag, size, created_at, expires_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.due = db.prepare(`SELECT ${itemColumns} FROM outbox WHERE ${dueWhere} ORDER BY priority, seq LIMIT ?`);
    this.dueTo = db.prepare(
      `SELECT ${itemColumns} FROM outbox WHERE ${dueWhere} AND destination = ? ORDER BY priority, seq LIMIT ?`,
    );
    this.lease = db.prepare('UPDATE outbox SET attempts = attempts + 1, leased_until = ? WHERE seq = ?');
    this.deleteOne = db.prepare('DELETE FROM outbox WHERE queue = ? AND id = ?');
    this.retry = db.prepare('UPDATE outbox SET leased_until = 0, next_attempt_at = ? WHERE queue = ? AND id = ?');
    this.get = db.prepare(`SELECT ${itemColumns} FROM outbox WHERE queue = ? AND id = ?`);
    this.depthTo = db.prepare(
      'SELECT count(*) AS messages, coalesce(sum(size), 0) AS bytes FROM outbox WHERE queue = ? AND destination = ?',
    );
    this.expired = db.prepare('SELECT id FROM outbox WHERE queue = ? AND expires_at <= ? ORDER BY seq');
    this.deleteExpired = db.prepare('DELETE FROM outbox WHERE queue = ? AND expires_at <= ?');
    this.deleteExpiredAllQueues = db.prepare('DELETE FROM outbox WHERE expires_at <= ?');
    this.releaseLeases = db.prepare('UPDATE outbox SET leased_until = 0 WHERE leased_until > 0');
  }
}

interface ResolvedOutboxOptions {
  readonly maxBytes: number;
  readonly maxMessages: number;
  readonly leaseMs: number;
  readonly sentRetentionMs: number;
  readonly backoff: BackoffPolicy;
}

export function resolveOutboxOptions(options: OutboxOptions | undefined, base?: ResolvedOutboxOptions): ResolvedOutboxOptions {
  const d = base ?? { ...OUTBOX_DEFAULTS, backoff: DEFAULT_BACKOFF };
  return {
    maxBytes: checkOption('outbox.maxBytes', options?.maxBytes, d.maxBytes),
    maxMessages: checkOption('outbox.maxMessages', options?.maxMessages, d.maxMessages),
    leaseMs: checkOption('outbox.leaseMs', options?.leaseMs, d.leaseMs),
    sentRetentionMs: checkOption('outbox.sentRetentionMs', options?.sentRetentionMs, d.sentRetentionMs, 0),
    backoff: options?.backoff === undefined ? d.backoff : checkBackoffPolicy(options.backoff),
  };
}

export class SqliteOutbox implements Outbox {
  readonly queue: string;
  private readonly sent: SqliteSeenLog;

  constructor(
    private readonly conn: Connection,
    private readonly sql: OutboxStatements,
    seen: SeenStatements,
    queue: string,
    private readonly options: ResolvedOutboxOptions,
  ) {
    this.queue = checkName('queue', queue);
    this.sent = new SqliteSeenLog(conn, seen, `${OUTBOX_SENT_NAMESPACE_PREFIX}${this.queue}`);
  }

  enqueue(request: EnqueueRequest): 'added' | 'duplicate' | 'expired' {
    this.conn.guard();
    const id = checkId('id', request.id);
    const destination = checkName('destination', request.destination, STORE_LIMITS.destinationMaxChars);
    const bytes = checkPayload('bytes', request.bytes);
    const tag = request.tag === undefined ? null : checkTag(request.tag);
    const priority = checkInteger('priority', request.priority, 0, STORE_LIMITS.priorityMax);
    const expiresAt = checkTime('expiresAt', request.expiresAt);
    const now = this.conn.now();
    const notBefore = request.notBefore === undefined ? now : checkTime('notBefore', request.notBefore);
    return this.conn.write(() => {
      if (this.sql.exists.get(this.queue, id) !== undefined || this.sent.isLive(id, now)) return 'duplicate';
      if (expiresAt <= now) return 'expired';
      this.sql.ensureQueue.run(this.queue);
      this.makeRoom(bytes.length, now);
      this.sql.insert.run(this.queue, id, destination, priority, bytes, tag, bytes.length, now, expiresAt, notBefore);
      return 'added';
    });
  }

  /** Refuses a write over quota; expired items are dropped first since they no longer count. */
  private makeRoom(size: number, now: number): void {
    const fits = (): { messages: number; bytes: number } | undefined => {
      const used = this.sql.usage.get(this.queue) ?? { messages: 0, bytes: 0 };
      return used.messages + 1 <= this.options.maxMessages && used.bytes + size <= this.options.maxBytes ? undefined : used;
    };
    if (fits() === undefined) return;
    this.sql.deleteExpired.run(this.queue, now);
    const used = fits();
    if (used === undefined) return;
    if (used.messages + 1 > this.options.maxMessages) {
      throw new QuotaExceededError('outbox-messages', this.options.maxMessages, used.messages);
    }
    throw new QuotaExceededError('outbox-bytes', this.options.maxBytes, used.bytes);
  }

  due(limit: number, nowMs?: number, options?: DueOptions): OutboxItem[] {
    this.conn.guard();
    const max = checkLimit(limit);
    const now = this.conn.now(nowMs);
    return this.selectDue(max, now, options).map(toItem);
  }

  leaseNext(limit: number, nowMs?: number, options?: DueOptions): OutboxItem[] {
    this.conn.guard();
    const max = checkLimit(limit);
    const now = this.conn.now(nowMs);
    return this.conn.write(() => {
      const rows = this.selectDue(max, now, options);
      const leasedUntil = now + this.options.leaseMs;
      for (const row of rows) {
        this.sql.lease.run(leasedUntil, row.seq);
        row.attempts += 1;
      }
      return rows.map(toItem);
    });
  }

  private selectDue(limit: number, now: number, options: DueOptions | undefined): OutboxRow[] {
    if (options?.destination === undefined) return this.sql.due.all(this.queue, now, now, now, limit);
    const destination = checkName('destination', options.destination, STORE_LIMITS.destinationMaxChars);
    return this.sql.dueTo.all(this.queue, now, now, now, destination, limit);
  }

  markSent(id: Uint8Array, nowMs?: number): boolean {
    this.conn.guard();
    checkId('id', id);
    const now = this.conn.now(nowMs);
    return this.conn.write(() => {
      if (this.sql.deleteOne.run(this.queue, id).changes === 0) return false;
      this.sent.addUnchecked(id, now + this.options.sentRetentionMs, now);
      return true;
    });
  }

  markFailed(id: Uint8Array, nextAttemptAt?: number, nowMs?: number): boolean {
    this.conn.guard();
    checkId('id', id);
    const now = this.conn.now(nowMs);
    const explicit = nextAttemptAt === undefined ? undefined : checkTime('nextAttemptAt', nextAttemptAt);
    return this.conn.write(() => {
      const row = this.sql.get.get(this.queue, id);
      if (row === undefined) return false;
      const at = explicit ?? now + backoffDelayMs(row.attempts, this.options.backoff, this.conn.random);
      this.sql.retry.run(at, this.queue, id);
      return true;
    });
  }

  get(id: Uint8Array): OutboxItem | undefined {
    this.conn.guard();
    checkId('id', id);
    const row = this.sql.get.get(this.queue, id);
    return row === undefined ? undefined : toItem(row);
  }

  depth(options?: DueOptions): QueueDepth {
    this.conn.guard();
    if (options?.destination !== undefined) {
      const destination = checkName('destination', options.destination, STORE_LIMITS.destinationMaxChars);
      return { ...(this.sql.depthTo.get(this.queue, destination) as QueueDepth) };
    }
    const used = this.sql.usage.get(this.queue);
    return { messages: used?.messages ?? 0, bytes: used?.bytes ?? 0 };
  }

  expire(nowMs?: number): Uint8Array[] {
    this.conn.guard();
    const now = this.conn.now(nowMs);
    return this.conn.write(() => {
      const ids = this.sql.expired.all(this.queue, now).map((r) => asBytes(r.id));
      this.sql.deleteExpired.run(this.queue, now);
      return ids;
    });
  }
}

function toItem(row: OutboxRow): OutboxItem {
  return {
    id: asBytes(row.id),
    destination: row.destination,
    bytes: asBytes(row.bytes),
    ...(row.tag !== null && { tag: asBytes(row.tag) }),
    priority: row.priority,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
  };
}

/**
 * better-sqlite3 returns each BLOB as a fresh Buffer of its own; a plain
 * Uint8Array view of it (no copy) keeps the store's values one type.
 */
export function asBytes(blob: Uint8Array): Uint8Array {
  return new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
}
