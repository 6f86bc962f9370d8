/**
 * openStore(): one SQLite file holding a node's outbox queues, the
 * mailboxes it hosts and its duplicate log (interfaces in ./store.ts).
 *
 * Opening, in this order, so that a file which is not ours is never altered:
 *  1. read the header (application_id, user_version): a non-SQLite file
 *     fails here with StoreOpenError 'not-a-database';
 *  2. refuse an SQLite file of another program ('not-a-meow-store');
 *  3. PRAGMA quick_check: damage gives StoreCorruptError naming the problems;
 *  4. WAL, synchronous=FULL, foreign keys, secure_delete (see
 *     docs/ARCHITECTURE.md, section "store", for why FULL and not NORMAL);
 *  5. migrations to the latest schema (./schema.ts);
 *  6. leases of the previous process released: a store file has one owner
 *     process, so a lease found at open belongs to a process that is gone.
 * A read-only open (`meow status` beside the daemon) does 1 and 2, checks
 * the schema version, and nothing else.
 */
import Database from 'better-sqlite3';
import { checkName, checkOption } from './args.ts';
import { Connection } from './connection.ts';
import { SchemaTooNewError, StoreCorruptError, StoreError, StoreOpenError } from './errors.ts';
import { MailboxStatements, resolveMailboxOptions, SqliteMailboxStore } from './mailbox-store.ts';
import { OutboxStatements, resolveOutboxOptions, SqliteOutbox } from './outbox.ts';
import { latestVersion, MEOW_APPLICATION_ID, migrate } from './schema.ts';
import { checkPublicNamespace, SeenStatements, SqliteSeenLog } from './seen-log.ts';
import type {} from './sqlite-connection.ts'; // types store.database() as better-sqlite3's Database
import type { ExpirySummary, MailboxStore, OpenStoreOptions, Outbox, OutboxOptions, SeenLog, Store, StoreInfo } from '../../seams/store.ts';

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/** After a checkpoint the WAL file is truncated to this size, so it does not keep a burst's worth of SD card. */
const WAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;
const MAX_PATH_CHARS = 4096;

export function openStore(options: OpenStoreOptions): Store {
  const path = checkName('path', options.path, MAX_PATH_CHARS);
  const busyTimeoutMs = checkOption('busyTimeoutMs', options.busyTimeoutMs, DEFAULT_BUSY_TIMEOUT_MS, 0);
  // Checked before the file is touched: a bad option must not leave a half-made file.
  const outboxDefaults = resolveOutboxOptions(options.outbox);
  const mailboxOptions = resolveMailboxOptions(options.mailbox);

  const maxFileBytes = options.maxFileBytes === undefined ? undefined : checkOption('maxFileBytes', options.maxFileBytes, 0, 65_536);
  const readOnly = options.readOnly === true;

  let db: Database.Database;
  try {
    db = new Database(path, readOnly ? { readonly: true, fileMustExist: true } : {});
  } catch (cause) {
    throw translateOpenError(cause, path);
  }
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    checkOwnership(db, path);
    if (readOnly) {
      checkCurrentVersion(db, path);
    } else {
      quickCheck(db, path);
      configure(db, path, options.secureDelete ?? true);
      migrate(db, path);
      if (maxFileBytes !== undefined) {
        const pageSizeBytes = db.pragma('page_size', { simple: true }) as number;
        db.pragma(`max_page_count = ${Math.max(1, Math.floor(maxFileBytes / pageSizeBytes))}`);
      }
    }
  } catch (cause) {
    db.close();
    throw translateOpenError(cause, path);
  }
  const conn = new Connection(db, path, options.clock, options.random, readOnly);
  const store = new SqliteStore(conn, outboxDefaults, mailboxOptions);
  if (!readOnly) store.releaseLeases();
  return store;
}

/** A read-only handle cannot migrate: the file must be exactly at this code's version. */
function checkCurrentVersion(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const latest = latestVersion();
  if (version > latest) throw new SchemaTooNewError(path, version, latest);
  if (version < latest) {
    throw new StoreOpenError('store-open-failed', path, `schema version ${version} needs a migration: open it read-write once`);
  }
}

function checkOwnership(db: Database.Database, path: string): void {
  // The first read of the file: SQLite checks the 16-byte magic header here.
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (applicationId === MEOW_APPLICATION_ID) return;
  const objects = (db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").get() as { n: number }).n;
  if (applicationId !== 0 || version !== 0 || objects > 0) {
    throw new StoreOpenError('not-a-meow-store', path, `an SQLite database of another program (application_id ${applicationId})`);
  }
}

function quickCheck(db: Database.Database, path: string): void {
  // quick_check: O(N) scan of every page, without the index cross-checks of integrity_check.
  const problems = (db.pragma('quick_check(20)') as { quick_check: string }[]).map((r) => r.quick_check);
  if (problems.length !== 1 || problems[0] !== 'ok') throw new StoreCorruptError(path, problems);
}

function configure(db: Database.Database, path: string, secureDelete: boolean): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
  // An in-memory database keeps journal_mode "memory": nothing to make durable.
  if (mode !== 'wal' && !(path === ':memory:' && mode === 'memory')) {
    throw new StoreOpenError('store-open-failed', path, `cannot use WAL journal mode here (got ${mode})`);
  }
  // FULL: the WAL is fsync'ed at every commit (https://sqlite.org/pragma.html#pragma_synchronous).
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`secure_delete = ${secureDelete ? 'ON' : 'OFF'}`);
  // Schema-embedded SQL functions of a tampered file cannot run with our privileges.
  db.pragma('trusted_schema = OFF');
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
}

/** Maps whatever better-sqlite3 threw while opening onto the store's typed errors. */
function translateOpenError(cause: unknown, path: string): StoreError {
  if (cause instanceof StoreError) return cause;
  const code = (cause as { code?: unknown } | null)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (code === 'SQLITE_NOTADB') return new StoreOpenError('not-a-database', path, 'not an SQLite database', { cause });
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_CORRUPT_INDEX' || code === 'SQLITE_CORRUPT_SEQUENCE') {
    return new StoreCorruptError(path, [message], { cause });
  }
  return new StoreOpenError('store-open-failed', path, message, { cause });
}

class SqliteStore implements Store {
  readonly path: string;
  readonly mailboxes: MailboxStore;
  private readonly outboxSql: OutboxStatements;
  private readonly seenSql: SeenStatements;
  private readonly mailboxImpl: SqliteMailboxStore;

  constructor(
    private readonly conn: Connection,
    private readonly outboxDefaults: ReturnType<typeof resolveOutboxOptions>,
    mailboxOptions: ReturnType<typeof resolveMailboxOptions>,
  ) {
    this.path = conn.path;
    this.outboxSql = new OutboxStatements(conn);
    this.seenSql = new SeenStatements(conn);
    this.mailboxImpl = new SqliteMailboxStore(conn, new MailboxStatements(conn), this.seenSql, mailboxOptions);
    this.mailboxes = this.mailboxImpl;
  }

  outbox(name: string, options?: OutboxOptions): Outbox {
    this.conn.guard();
    return new SqliteOutbox(this.conn, this.outboxSql, this.seenSql, name, resolveOutboxOptions(options, this.outboxDefaults));
  }

  seenLog(namespace: string): SeenLog {
    this.conn.guard();
    return new SqliteSeenLog(this.conn, this.seenSql, checkPublicNamespace(namespace));
  }

  batch<T>(fn: () => T): T {
    return this.conn.write(fn);
  }

  expireAll(nowMs?: number): ExpirySummary {
    this.conn.guard();
    const now = this.conn.now(nowMs);
    return this.conn.write(() => {
      const outboxExpired = this.outboxSql.deleteExpiredAllQueues.run(now).changes;
      const mailboxExpired = this.mailboxImpl.expireMessages(now);
      const seenPurged = this.seenSql.purgeAll.run(now).changes;
      return { outboxExpired, mailboxExpired, seenPurged };
    });
  }

  integrityCheck(): string[] {
    this.conn.guard();
    return (this.conn.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  info(): StoreInfo {
    this.conn.guard();
    const db = this.conn.db;
    const read = (name: string): unknown => db.pragma(name, { simple: true });
    return {
      path: this.path,
      schemaVersion: read('user_version') as number,
      journalMode: read('journal_mode') as string,
      synchronous: read('synchronous') as number,
      foreignKeys: read('foreign_keys') === 1,
      secureDelete: read('secure_delete') === 1,
      busyTimeoutMs: read('busy_timeout') as number,
    };
  }

  database(): Database.Database {
    this.conn.guard();
    return this.conn.db;
  }

  releaseLeases(): void {
    this.conn.write(() => this.outboxSql.releaseLeases.run());
  }

  close(): void {
    this.conn.close();
  }
}
