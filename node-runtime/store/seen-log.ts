/**
 * The durable duplicate log (SeenLog in ./store.ts): one table shared by
 * every namespace, an entry per id with its own expiry. The outbox keeps
 * sent ids here, the mailboxes keep delivered and expired ids, so a late
 * copy that wandered the mesh for hours is recognised and not stored again.
 */
import type { Statement } from 'better-sqlite3';
import { checkId, checkName, checkTime } from './args.ts';
import { StoreArgumentError } from './errors.ts';
import type { Connection } from './connection.ts';
import type { SeenLog } from '../../seams/store.ts';

/** Prepared once per store and shared by every namespace handle. */
export class SeenStatements {
  readonly select: Statement<[string, Uint8Array], { expires_at: number }>;
  readonly upsert: Statement<[string, Uint8Array, number]>;
  readonly purgeNamespace: Statement<[string, number]>;
  readonly purgeAll: Statement<[number]>;
  readonly count: Statement<[string], { n: number }>;

  constructor(conn: Connection) {
    const db = conn.db;
    this.select = db.prepare('SELECT expires_at FROM seen_ids WHERE namespace = ? AND id = ?');
    this.upsert = db.prepare(
      `INSERT INTO seen_ids (namespace, id, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (namespace, id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`,
    );
    this.purgeNamespace = db.prepare('DELETE FROM seen_ids WHERE namespace = ? AND expires_at <= ?');
    this.purgeAll = db.prepare('DELETE FROM seen_ids WHERE expires_at <= ?');
    this.count = db.prepare('SELECT count(*) AS n FROM seen_ids WHERE namespace = ?');
  }
}

export class SqliteSeenLog implements SeenLog {
  /** Checked by the caller: Store.seenLog() for public names, the outbox and mailboxes for their own. */
  constructor(
    private readonly conn: Connection,
    private readonly sql: SeenStatements,
    readonly namespace: string,
  ) {}

  add(id: Uint8Array, expiresAt: number, nowMs?: number): 'added' | 'seen' {
    this.conn.guard();
    checkId('id', id);
    const expiry = checkTime('expiresAt', expiresAt);
    const now = this.conn.now(nowMs);
    return this.conn.write(() => this.addUnchecked(id, expiry, now));
  }

  /**
   * For the outbox and mailboxes, inside their own transaction, with checked
   * arguments. An expired entry still in the table is simply overwritten:
   * the upsert keeps the later expiry, and a caller's new expiry (from now)
   * is later than an expired one.
   */
  addUnchecked(id: Uint8Array, expiresAt: number, nowMs: number): 'added' | 'seen' {
    const live = this.isLive(id, nowMs);
    this.sql.upsert.run(this.namespace, id, expiresAt);
    return live ? 'seen' : 'added';
  }

  has(id: Uint8Array, nowMs?: number): boolean {
    this.conn.guard();
    checkId('id', id);
    return this.isLive(id, this.conn.now(nowMs));
  }

  isLive(id: Uint8Array, nowMs: number): boolean {
    const row = this.sql.select.get(this.namespace, id);
    return row !== undefined && row.expires_at > nowMs;
  }

  purge(nowMs?: number): number {
    this.conn.guard();
    const now = this.conn.now(nowMs);
    return this.conn.write(() => this.purgeUnchecked(now));
  }

  /** Inside a caller's transaction. */
  purgeUnchecked(nowMs: number): number {
    return this.sql.purgeNamespace.run(this.namespace, nowMs).changes;
  }

  count(): number {
    this.conn.guard();
    return (this.sql.count.get(this.namespace) as { n: number }).n;
  }
}

/** Namespaces the store keeps for itself: a caller's seen log must not read or forge them. */
export const OUTBOX_SENT_NAMESPACE_PREFIX = 'outbox.sent:';
export const MAILBOX_SEEN_NAMESPACE = 'mailbox';

export function checkPublicNamespace(value: unknown): string {
  const namespace = checkName('namespace', value);
  if (namespace.startsWith(OUTBOX_SENT_NAMESPACE_PREFIX) || namespace === MAILBOX_SEEN_NAMESPACE) {
    throw new StoreArgumentError(`namespace ${namespace} is reserved for the store itself`);
  }
  return namespace;
}
