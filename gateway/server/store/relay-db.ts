/**
 * The relay's own tables (mailbox registrations, replay counters, presence,
 * broadcasts, directory, catalog). A running relay keeps them in the node
 * store's file and connection (`store.database()`, tables prefixed
 * `relay_`), so that one group commit (group-commit.ts) writes messages and
 * relay rows in one transaction: one WAL fsync with synchronous=FULL, and a
 * crash never keeps one half of a request. A relay of an older version kept
 * them in a second file, relay.sqlite: importLegacy() copies its rows once.
 * `new RelayDb(path)` still opens a file of its own (WAL + FULL), for tests.
 */
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS relay_mailboxes (
  tag BLOB PRIMARY KEY, lookup_key BLOB NOT NULL, pass_key BLOB, created_ms INTEGER NOT NULL, used_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relay_counters (signer BLOB PRIMARY KEY, counter INTEGER NOT NULL, used_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relay_presence (tag BLOB PRIMARY KEY, blob BLOB NOT NULL, expires_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relay_broadcasts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, hash BLOB NOT NULL UNIQUE, author BLOB NOT NULL, record BLOB NOT NULL, expires_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS relay_directory (
  entry_key BLOB NOT NULL UNIQUE, description TEXT NOT NULL, record BLOB, created_sec INTEGER NOT NULL, expires_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS relay_directory_expiry ON relay_directory (expires_ms);
CREATE TABLE IF NOT EXISTS relay_catalog (
  signing_key BLOB PRIMARY KEY, record BLOB NOT NULL, issued_sec INTEGER NOT NULL, expires_sec INTEGER NOT NULL
) WITHOUT ROWID;
`;

export interface MailboxRow {
  readonly tag: Uint8Array;
  readonly lookupKey: Uint8Array;
  readonly passKey: Uint8Array | undefined;
}

export interface DirectoryRow {
  readonly record: Uint8Array | null;
  readonly createdSec: number;
}

function u8(b: Buffer | Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();
}

export class RelayDb {
  readonly db: Db;
  private readonly s: Record<string, Statement>;
  /** Built once: better-sqlite3's transaction() wrapper costs more than the savepoint it opens. */
  private readonly inTransaction: (fn: () => unknown) => unknown;

  /** False when the connection is borrowed from the store: the store closes it. */
  private readonly ownsConnection: boolean;

  /**
   * @param source a file of its own (or ':memory:'), or a connection that is
   *   already durable (the node store's `database()`): its pragmas are the
   *   owner's, and close() leaves it open.
   */
  constructor(source: string | Db) {
    if (typeof source === 'string') {
      this.db = new Database(source);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('secure_delete = ON');
      this.ownsConnection = true;
    } else {
      this.db = source;
      this.ownsConnection = false;
    }
    this.db.exec(SCHEMA);
    this.inTransaction = this.db.transaction((fn: () => unknown) => fn());
    const p = (sql: string) => this.db.prepare(sql);
    this.s = {
      getMailbox: p('SELECT tag, lookup_key, pass_key FROM relay_mailboxes WHERE tag = ?'),
      // A register without a pass key keeps the one set before (review M1: the gateway registers without one).
      putMailbox: p(`INSERT INTO relay_mailboxes (tag, lookup_key, pass_key, created_ms, used_ms) VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT(tag) DO UPDATE SET pass_key = COALESCE(excluded.pass_key, relay_mailboxes.pass_key), used_ms = excluded.used_ms`),
      touchMailbox: p('UPDATE relay_mailboxes SET used_ms = ? WHERE tag = ?'),
      countMailboxes: p('SELECT count(*) AS n FROM relay_mailboxes'),
      idleMailboxes: p('SELECT tag FROM relay_mailboxes WHERE used_ms <= ? LIMIT 1000'),
      dropMailbox: p('DELETE FROM relay_mailboxes WHERE tag = ?'),
      getCounter: p('SELECT counter FROM relay_counters WHERE signer = ?'),
      putCounter: p(`INSERT INTO relay_counters (signer, counter, used_ms) VALUES (?, ?, ?)
                     ON CONFLICT(signer) DO UPDATE SET counter = excluded.counter, used_ms = excluded.used_ms`),
      putPresence: p(`INSERT INTO relay_presence (tag, blob, expires_ms) VALUES (?, ?, ?)
                      ON CONFLICT(tag) DO UPDATE SET blob = excluded.blob, expires_ms = excluded.expires_ms`),
      getPresence: p('SELECT blob, expires_ms FROM relay_presence WHERE tag = ? AND expires_ms > ?'),
      dropPresence: p('DELETE FROM relay_presence WHERE tag = ?'),
      countPresence: p('SELECT count(*) AS n FROM relay_presence'),
      addBroadcast: p('INSERT OR IGNORE INTO relay_broadcasts (hash, author, record, expires_ms) VALUES (?, ?, ?, ?)'),
      broadcastByHash: p('SELECT seq FROM relay_broadcasts WHERE hash = ?'),
      listBroadcasts: p('SELECT seq, record FROM relay_broadcasts WHERE seq > ? AND expires_ms > ? ORDER BY seq LIMIT ?'),
      getEntry: p('SELECT record, created_sec FROM relay_directory WHERE entry_key = ?'),
      putEntry: p(`INSERT INTO relay_directory (entry_key, description, record, created_sec, expires_ms) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(entry_key) DO UPDATE SET description = excluded.description, record = excluded.record,
                   created_sec = excluded.created_sec, expires_ms = excluded.expires_ms`),
      withdrawEntry: p("UPDATE relay_directory SET record = NULL, description = '' WHERE entry_key = ?"),
      countEntries: p('SELECT count(*) AS n FROM relay_directory WHERE record IS NOT NULL'),
      searchEntries: p(`SELECT record FROM relay_directory WHERE record IS NOT NULL AND expires_ms > ? AND instr(lower(description), lower(?)) > 0
                        ORDER BY created_sec DESC LIMIT ?`),
      liveEntryRowids: p('SELECT rowid FROM relay_directory WHERE record IS NOT NULL AND expires_ms > ?'),
      entryByRowid: p('SELECT record FROM relay_directory WHERE rowid = ?'),
      getCatalog: p('SELECT issued_sec FROM relay_catalog WHERE signing_key = ?'),
      putCatalog: p(`INSERT INTO relay_catalog (signing_key, record, issued_sec, expires_sec) VALUES (?, ?, ?, ?)
                     ON CONFLICT(signing_key) DO UPDATE SET record = excluded.record, issued_sec = excluded.issued_sec,
                     expires_sec = excluded.expires_sec`),
      countCatalog: p('SELECT count(*) AS n FROM relay_catalog'),
      listCatalog: p('SELECT record FROM relay_catalog WHERE expires_sec > ? ORDER BY issued_sec DESC LIMIT ?'),
      expirePresence: p('DELETE FROM relay_presence WHERE expires_ms <= ?'),
      expireBroadcasts: p('DELETE FROM relay_broadcasts WHERE expires_ms <= ?'),
      expireDirectory: p('DELETE FROM relay_directory WHERE expires_ms <= ?'),
      expireCatalog: p('DELETE FROM relay_catalog WHERE expires_sec <= ?'),
      expireCounters: p('DELETE FROM relay_counters WHERE used_ms <= ? AND signer NOT IN (SELECT lookup_key FROM relay_mailboxes)'),
    };
  }

  private st(name: string): Statement {
    return this.s[name]!;
  }

  /** Runs fn in a transaction (a savepoint when one is already open). */
  transaction<T>(fn: () => T): T {
    return this.inTransaction(fn) as T;
  }

  getMailbox(tag: Uint8Array): MailboxRow | undefined {
    const row = this.st('getMailbox').get(tag) as { tag: Buffer; lookup_key: Buffer; pass_key: Buffer | null } | undefined;
    if (!row) return undefined;
    return { tag: u8(row.tag), lookupKey: u8(row.lookup_key), passKey: row.pass_key ? u8(row.pass_key) : undefined };
  }

  putMailbox(tag: Uint8Array, lookupKey: Uint8Array, passKey: Uint8Array | undefined, nowMs: number): void {
    this.st('putMailbox').run(tag, lookupKey, passKey ?? null, nowMs, nowMs);
  }

  touchMailbox(tag: Uint8Array, nowMs: number): void {
    this.st('touchMailbox').run(nowMs, tag);
  }

  count(table: 'mailboxes' | 'presence' | 'directory' | 'catalog'): number {
    const name = { mailboxes: 'countMailboxes', presence: 'countPresence', directory: 'countEntries', catalog: 'countCatalog' }[table];
    return (this.st(name).get() as { n: number }).n;
  }

  /** Tags of mailboxes not used since `beforeMs` (up to 1000 per call). */
  idleMailboxes(beforeMs: number): Uint8Array[] {
    return (this.st('idleMailboxes').all(beforeMs) as { tag: Buffer }[]).map((r) => u8(r.tag));
  }

  dropMailbox(tag: Uint8Array): void {
    this.st('dropMailbox').run(tag);
    this.st('dropPresence').run(tag);
  }

  getCounter(signer: Uint8Array): number | undefined {
    const row = this.st('getCounter').get(signer) as { counter: number } | undefined;
    return row?.counter;
  }

  putCounter(signer: Uint8Array, counter: number, nowMs: number): void {
    this.st('putCounter').run(signer, counter, nowMs);
  }

  putPresence(tag: Uint8Array, blob: Uint8Array, expiresMs: number): void {
    this.st('putPresence').run(tag, blob, expiresMs);
  }

  dropPresence(tag: Uint8Array): void {
    this.st('dropPresence').run(tag);
  }

  getPresence(tag: Uint8Array, nowMs: number): { blob: Uint8Array; expiresMs: number } | undefined {
    const row = this.st('getPresence').get(tag, nowMs) as { blob: Buffer; expires_ms: number } | undefined;
    return row ? { blob: u8(row.blob), expiresMs: row.expires_ms } : undefined;
  }

  /** Adds a broadcast; returns its sequence number and whether it was new. */
  addBroadcast(hash: Uint8Array, author: Uint8Array, record: Uint8Array, expiresMs: number): { seq: number; added: boolean } {
    const info = this.st('addBroadcast').run(hash, author, record, expiresMs);
    const row = this.st('broadcastByHash').get(hash) as { seq: number };
    return { seq: row.seq, added: info.changes === 1 };
  }

  listBroadcasts(sinceSeq: number, nowMs: number, limit: number): { seq: number; record: Uint8Array }[] {
    return (this.st('listBroadcasts').all(sinceSeq, nowMs, limit) as { seq: number; record: Buffer }[])
      .map((r) => ({ seq: r.seq, record: u8(r.record) }));
  }

  getEntry(entryKey: Uint8Array): DirectoryRow | undefined {
    const row = this.st('getEntry').get(entryKey) as { record: Buffer | null; created_sec: number } | undefined;
    return row ? { record: row.record ? u8(row.record) : null, createdSec: row.created_sec } : undefined;
  }

  putEntry(entryKey: Uint8Array, description: string, record: Uint8Array, createdSec: number, expiresMs: number): void {
    this.st('putEntry').run(entryKey, description, record, createdSec, expiresMs);
  }

  /** Keeps a tombstone until the entry's expiry, so that a replayed publish cannot revive it. */
  withdrawEntry(entryKey: Uint8Array): void {
    this.st('withdrawEntry').run(entryKey);
  }

  searchEntries(query: string, nowMs: number, limit: number): Uint8Array[] {
    return (this.st('searchEntries').all(nowMs, query, limit) as { record: Buffer }[]).map((r) => u8(r.record));
  }

  liveEntryRowids(nowMs: number): number[] {
    return (this.st('liveEntryRowids').all(nowMs) as { rowid: number }[]).map((r) => r.rowid);
  }

  entryByRowid(rowid: number): Uint8Array | undefined {
    const row = this.st('entryByRowid').get(rowid) as { record: Buffer | null } | undefined;
    return row?.record ? u8(row.record) : undefined;
  }

  catalogIssued(signingKey: Uint8Array): number | undefined {
    return (this.st('getCatalog').get(signingKey) as { issued_sec: number } | undefined)?.issued_sec;
  }

  putCatalog(signingKey: Uint8Array, record: Uint8Array, issuedSec: number, expiresSec: number): void {
    this.st('putCatalog').run(signingKey, record, issuedSec, expiresSec);
  }

  listCatalog(nowSec: number, limit: number): Uint8Array[] {
    return (this.st('listCatalog').all(nowSec, limit) as { record: Buffer }[]).map((r) => u8(r.record));
  }

  /** Drops whatever expired; returns the number of rows removed. */
  expire(nowMs: number, counterIdleBeforeMs: number): number {
    let n = 0;
    n += this.st('expirePresence').run(nowMs).changes;
    n += this.st('expireBroadcasts').run(nowMs).changes;
    n += this.st('expireDirectory').run(nowMs).changes;
    n += this.st('expireCatalog').run(Math.floor(nowMs / 1000)).changes;
    n += this.st('expireCounters').run(counterIdleBeforeMs).changes;
    return n;
  }

  /**
   * Copies the rows of a relay.sqlite written by an older version (tables
   * without the `relay_` prefix) into these tables, in one transaction.
   * Rows already here win (INSERT OR IGNORE), so a second import after a
   * crash before the caller renamed the file changes nothing. Returns the
   * number of rows copied.
   */
  importLegacy(path: string): number {
    this.db.prepare('ATTACH DATABASE ? AS legacy').run(path);
    try {
      const copy = (table: string, columns: string): number =>
        this.db.prepare(`INSERT OR IGNORE INTO relay_${table} (${columns}) SELECT ${columns} FROM legacy.${table}`).run().changes;
      return this.transaction(() =>
        copy('mailboxes', 'tag, lookup_key, pass_key, created_ms, used_ms') +
        copy('counters', 'signer, counter, used_ms') +
        copy('presence', 'tag, blob, expires_ms') +
        copy('broadcasts', 'seq, hash, author, record, expires_ms') +
        copy('directory', 'rowid, entry_key, description, record, created_sec, expires_ms') +
        copy('catalog', 'signing_key, record, issued_sec, expires_sec'));
    } finally {
      this.db.exec('DETACH DATABASE legacy');
    }
  }

  close(): void {
    if (this.ownsConnection && this.db.open) this.db.close();
  }
}
