/**
 * Hosted mailboxes (MailboxStore in ./store.ts) on SQLite. Messages are
 * keyed by (tag, id); per-mailbox and global counters are kept by triggers
 * (./schema.ts) so that a quota check reads two rows. Deleted and expired
 * ids go to the seen log under the namespace "mailbox", keyed by
 * len(tag) || tag || id (the length byte keeps two (tag, id) pairs from
 * concatenating to the same key), so a late duplicate is not stored again.
 */
import type { Statement } from 'better-sqlite3';
import { checkId, checkLimit, checkOption, checkPayload, checkTag, checkTime, maxPageItems } from './args.ts';
import type { Connection } from './connection.ts';
import { QuotaExceededError, StoreArgumentError } from './errors.ts';
import { asBytes } from './outbox.ts';
import type { SeenStatements } from './seen-log.ts';
import { MAILBOX_SEEN_NAMESPACE, SqliteSeenLog } from './seen-log.ts';
import type { DepositOptions, ListOptions, MailboxCounts, MailboxOptions, MailboxStore, MailboxTotals, StoredMessage } from '../../seams/store.ts';

const MiB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

export const MAILBOX_DEFAULTS = {
  maxBytesPerMailbox: 4 * MiB,
  maxMessagesPerMailbox: 2_000,
  maxBytesTotal: 512 * MiB,
  maxMessagesTotal: 500_000,
  defaultTtlMs: 7 * DAY_MS,
  maxTtlMs: 30 * DAY_MS,
  seenRetentionMs: 30 * DAY_MS,
} as const;

export type ResolvedMailboxOptions = { readonly [K in keyof typeof MAILBOX_DEFAULTS]: number };

export function resolveMailboxOptions(options: MailboxOptions | undefined): ResolvedMailboxOptions {
  const d = MAILBOX_DEFAULTS;
  const resolved = {
    maxBytesPerMailbox: checkOption('mailbox.maxBytesPerMailbox', options?.maxBytesPerMailbox, d.maxBytesPerMailbox),
    maxMessagesPerMailbox: checkOption('mailbox.maxMessagesPerMailbox', options?.maxMessagesPerMailbox, d.maxMessagesPerMailbox),
    maxBytesTotal: checkOption('mailbox.maxBytesTotal', options?.maxBytesTotal, d.maxBytesTotal),
    maxMessagesTotal: checkOption('mailbox.maxMessagesTotal', options?.maxMessagesTotal, d.maxMessagesTotal),
    defaultTtlMs: checkOption('mailbox.defaultTtlMs', options?.defaultTtlMs, d.defaultTtlMs),
    maxTtlMs: checkOption('mailbox.maxTtlMs', options?.maxTtlMs, d.maxTtlMs),
    seenRetentionMs: checkOption('mailbox.seenRetentionMs', options?.seenRetentionMs, d.seenRetentionMs, 0),
  };
  if (resolved.defaultTtlMs > resolved.maxTtlMs) throw new StoreArgumentError('mailbox.defaultTtlMs must not exceed maxTtlMs');
  return resolved;
}

interface MessageRow {
  seq: number;
  id: Uint8Array;
  bytes: Uint8Array;
  stored_at: number;
  expires_at: number;
}

interface Usage {
  messages: number;
  bytes: number;
}

export class MailboxStatements {
  readonly ensureMailbox: Statement<[Uint8Array]>;
  readonly mailboxUsage: Statement<[Uint8Array], Usage>;
  readonly totalUsage: Statement<[], Usage>;
  readonly mailboxCount: Statement<[], { n: number }>;
  readonly exists: Statement<[Uint8Array, Uint8Array], { seq: number }>;
  readonly insert: Statement<[Uint8Array, Uint8Array, Uint8Array, number, number, number]>;
  readonly list: Statement<[Uint8Array, number, number, number], MessageRow>;
  readonly deleteOne: Statement<[Uint8Array, Uint8Array]>;
  readonly expiredInMailbox: Statement<[Uint8Array, number], { id: Uint8Array }>;
  readonly deleteExpiredInMailbox: Statement<[Uint8Array, number]>;
  readonly expiredAll: Statement<[number], { tag: Uint8Array; id: Uint8Array }>;
  readonly deleteExpiredAll: Statement<[number]>;

  constructor(conn: Connection) {
    const db = conn.db;
    this.ensureMailbox = db.prepare('INSERT OR IGNORE INTO mailboxes (tag) VALUES (?)');
    this.mailboxUsage = db.prepare('SELECT messages, bytes FROM mailboxes WHERE tag = ?');
    this.totalUsage = db.prepare("SELECT messages, bytes FROM totals WHERE name = 'mailboxes'");
    this.mailboxCount = db.prepare('SELECT count(*) AS n FROM mailboxes');
    this.exists = db.prepare('SELECT seq FROM mailbox_messages WHERE tag = ? AND id = ?');
    this.insert = db.prepare(
      'INSERT INTO mailbox_messages (tag, id, bytes, size, stored_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.list = db.prepare(
      `SELECT seq, id, bytes, stored_at, expires_at FROM mailbox_messages
       WHERE tag = ? AND seq > ? AND expires_at > ? ORDER BY seq LIMIT ?`,
    );
    this.deleteOne = db.prepare('DELETE FROM mailbox_messages WHERE tag = ? AND id = ?');
    this.expiredInMailbox = db.prepare('SELECT id FROM mailbox_messages WHERE tag = ? AND expires_at <= ?');
    this.deleteExpiredInMailbox = db.prepare('DELETE FROM mailbox_messages WHERE tag = ? AND expires_at <= ?');
    this.expiredAll = db.prepare('SELECT tag, id FROM mailbox_messages WHERE expires_at <= ?');
    this.deleteExpiredAll = db.prepare('DELETE FROM mailbox_messages WHERE expires_at <= ?');
  }
}


export class SqliteMailboxStore implements MailboxStore {
  private readonly seen: SqliteSeenLog;

  constructor(
    private readonly conn: Connection,
    private readonly sql: MailboxStatements,
    seen: SeenStatements,
    private readonly options: ResolvedMailboxOptions,
  ) {
    this.seen = new SqliteSeenLog(conn, seen, MAILBOX_SEEN_NAMESPACE);
  }

  deposit(
    tag: Uint8Array,
    id: Uint8Array,
    bytes: Uint8Array,
    nowMs?: number,
    options?: DepositOptions,
  ): 'stored' | 'duplicate' | 'expired' {
    this.conn.guard();
    checkTag(tag);
    checkId('id', id);
    checkPayload('bytes', bytes);
    const now = this.conn.now(nowMs);
    const asked = options?.expiresAt === undefined ? now + this.options.defaultTtlMs : checkTime('expiresAt', options.expiresAt);
    // The host decides how long it keeps mail: a depositor cannot ask for more than maxTtlMs.
    const expiresAt = Math.min(asked, now + this.options.maxTtlMs);
    return this.conn.write(() => {
      if (this.sql.exists.get(tag, id) !== undefined) return 'duplicate';
      if (this.seen.isLive(seenKey(tag, id), now)) return 'duplicate';
      if (expiresAt <= now) return 'expired';
      this.makeRoom(tag, bytes.length, now);
      this.sql.ensureMailbox.run(tag);
      this.sql.insert.run(tag, id, bytes, bytes.length, now, expiresAt);
      return 'stored';
    });
  }

  /**
   * Throws QuotaExceededError when the message does not fit. Expired
   * messages no longer count: they are dropped (and remembered as seen)
   * before refusing. Nothing unexpired is ever evicted.
   */
  private makeRoom(tag: Uint8Array, size: number, now: number): void {
    let refusal = this.quotaRefusal(tag, size);
    if (refusal === undefined) return;
    this.expireMailbox(tag, now);
    refusal = this.quotaRefusal(tag, size);
    if (refusal !== undefined && refusal.quota.startsWith('mailboxes-total')) {
      this.expireMessages(now);
      refusal = this.quotaRefusal(tag, size);
    }
    if (refusal !== undefined) throw refusal;
  }

  private quotaRefusal(tag: Uint8Array, size: number): QuotaExceededError | undefined {
    const o = this.options;
    const mine = this.sql.mailboxUsage.get(tag) ?? { messages: 0, bytes: 0 };
    if (mine.messages + 1 > o.maxMessagesPerMailbox) {
      return new QuotaExceededError('mailbox-messages', o.maxMessagesPerMailbox, mine.messages);
    }
    if (mine.bytes + size > o.maxBytesPerMailbox) return new QuotaExceededError('mailbox-bytes', o.maxBytesPerMailbox, mine.bytes);
    const all = this.sql.totalUsage.get() as Usage;
    if (all.messages + 1 > o.maxMessagesTotal) {
      return new QuotaExceededError('mailboxes-total-messages', o.maxMessagesTotal, all.messages);
    }
    if (all.bytes + size > o.maxBytesTotal) return new QuotaExceededError('mailboxes-total-bytes', o.maxBytesTotal, all.bytes);
    return undefined;
  }

  list(tag: Uint8Array, options: ListOptions, nowMs?: number): StoredMessage[] {
    this.conn.guard();
    checkTag(tag);
    const limit = checkLimit(options?.limit);
    const after = options.after === undefined ? 0 : checkTime('after', options.after);
    const now = this.conn.now(nowMs);
    const tagCopy = tag.slice();
    return this.sql.list.all(tag, after, now, limit).map((row) => ({
      tag: tagCopy.slice(),
      id: asBytes(row.id),
      bytes: asBytes(row.bytes),
      storedAt: row.stored_at,
      expiresAt: row.expires_at,
      cursor: row.seq,
    }));
  }

  delete(tag: Uint8Array, ids: readonly Uint8Array[], nowMs?: number): number {
    this.conn.guard();
    checkTag(tag);
    if (!Array.isArray(ids) || ids.length > maxPageItems) {
      throw new StoreArgumentError(`ids must be an array of at most ${maxPageItems} ids`);
    }
    ids.forEach((id, i) => checkId(`ids[${i}]`, id));
    const now = this.conn.now(nowMs);
    return this.conn.write(() => {
      let deleted = 0;
      for (const id of ids) {
        deleted += this.sql.deleteOne.run(tag, id).changes;
        // Remembered even when it was not stored here: the recipient has it
        // (from another host, perhaps), so a copy arriving later is stale.
        this.rememberDelivered(tag, id, now);
      }
      return deleted;
    });
  }

  expire(nowMs?: number): number {
    this.conn.guard();
    const now = this.conn.now(nowMs);
    return this.conn.write(() => {
      const expired = this.expireMessages(now);
      this.seen.purgeUnchecked(now);
      return expired;
    });
  }

  private expireMailbox(tag: Uint8Array, now: number): number {
    for (const row of this.sql.expiredInMailbox.all(tag, now)) this.rememberDelivered(tag, row.id, now);
    return this.sql.deleteExpiredInMailbox.run(tag, now).changes;
  }

  /** Inside a caller's transaction (the store's expireAll). Returns how many expired. */
  expireMessages(now: number): number {
    for (const row of this.sql.expiredAll.all(now)) this.rememberDelivered(row.tag, row.id, now);
    return this.sql.deleteExpiredAll.run(now).changes;
  }

  private rememberDelivered(tag: Uint8Array, id: Uint8Array, now: number): void {
    this.seen.addUnchecked(seenKey(tag, id), now + this.options.seenRetentionMs, now);
  }

  counts(tag: Uint8Array): MailboxCounts {
    this.conn.guard();
    checkTag(tag);
    const row = this.sql.mailboxUsage.get(tag);
    return { messages: row?.messages ?? 0, bytes: row?.bytes ?? 0 };
  }

  totals(): MailboxTotals {
    this.conn.guard();
    const all = this.sql.totalUsage.get() as Usage;
    const mailboxes = (this.sql.mailboxCount.get() as { n: number }).n;
    return { mailboxes, messages: all.messages, bytes: all.bytes };
  }
}

/** len(tag) || tag || id: unambiguous since a tag is at most 32 bytes. */
export function seenKey(tag: Uint8Array, id: Uint8Array): Uint8Array {
  const key = new Uint8Array(1 + tag.length + id.length);
  key[0] = tag.length;
  key.set(tag, 1);
  key.set(id, 1 + tag.length);
  return key;
}
