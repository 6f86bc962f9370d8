/**
 * The store's schema and its migrations, versioned by SQLite's
 * `PRAGMA user_version` (https://sqlite.org/pragma.html#pragma_user_version)
 * and marked as ours by `PRAGMA application_id` (the "MEOW" bytes), so that
 * an SQLite file of another program is refused rather than altered.
 *
 * A migration runs in one transaction together with the version bump: a
 * crash or an error half-way leaves the file at the old version, whole.
 * Never edit a released migration; append a new one.
 *
 * Usage counters (queue depth, mailbox sizes, totals) are kept by triggers
 * in the same transaction as the rows they count, so that a quota check
 * reads one row instead of summing a table, and can never drift from the
 * rows even if a future statement forgets to update them.
 */
import type { Database } from 'better-sqlite3';
import { MigrationError, SchemaTooNewError } from './errors.ts';
import { migrateOutboxTag } from './migrate-outbox-tag.ts';

/** "MEOW" in ASCII, big-endian: written once into the database header (offset 68). */
export const MEOW_APPLICATION_ID = 0x4d454f57;

export interface Migration {
  /** The user_version the file has after this migration; versions are 1, 2, 3... */
  readonly version: number;
  readonly description: string;
  up(db: Database): void;
}

const schemaV1 = `
CREATE TABLE outbox_queues (
  queue    TEXT PRIMARY KEY,
  messages INTEGER NOT NULL DEFAULT 0,
  bytes    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE outbox (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  queue           TEXT NOT NULL REFERENCES outbox_queues(queue),
  id              BLOB NOT NULL,
  destination     TEXT NOT NULL,
  priority        INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 7),
  bytes           BLOB NOT NULL,
  size            INTEGER NOT NULL CHECK (size = length(bytes)),
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  leased_until    INTEGER NOT NULL DEFAULT 0,
  UNIQUE (queue, id)
);
CREATE INDEX outbox_order ON outbox (queue, priority, seq);
CREATE INDEX outbox_by_destination ON outbox (queue, destination, priority, seq);
CREATE INDEX outbox_expiry ON outbox (expires_at);

CREATE TRIGGER outbox_count_insert AFTER INSERT ON outbox BEGIN
  UPDATE outbox_queues SET messages = messages + 1, bytes = bytes + NEW.size WHERE queue = NEW.queue;
END;
CREATE TRIGGER outbox_count_delete AFTER DELETE ON outbox BEGIN
  UPDATE outbox_queues SET messages = messages - 1, bytes = bytes - OLD.size WHERE queue = OLD.queue;
END;

CREATE TABLE mailboxes (
  tag      BLOB PRIMARY KEY,
  messages INTEGER NOT NULL DEFAULT 0,
  bytes    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE mailbox_messages (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  tag        BLOB NOT NULL REFERENCES mailboxes(tag) ON DELETE CASCADE,
  id         BLOB NOT NULL,
  bytes      BLOB NOT NULL,
  size       INTEGER NOT NULL CHECK (size = length(bytes)),
  stored_at  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  UNIQUE (tag, id)
);
CREATE INDEX mailbox_messages_by_tag ON mailbox_messages (tag, seq);
CREATE INDEX mailbox_messages_expiry ON mailbox_messages (expires_at);

CREATE TABLE totals (
  name     TEXT PRIMARY KEY,
  messages INTEGER NOT NULL DEFAULT 0,
  bytes    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO totals (name) VALUES ('mailboxes');

CREATE TRIGGER mailbox_count_insert AFTER INSERT ON mailbox_messages BEGIN
  UPDATE mailboxes SET messages = messages + 1, bytes = bytes + NEW.size WHERE tag = NEW.tag;
  UPDATE totals SET messages = messages + 1, bytes = bytes + NEW.size WHERE name = 'mailboxes';
END;
CREATE TRIGGER mailbox_count_delete AFTER DELETE ON mailbox_messages BEGIN
  UPDATE mailboxes SET messages = messages - 1, bytes = bytes - OLD.size WHERE tag = OLD.tag;
  UPDATE totals SET messages = messages - 1, bytes = bytes - OLD.size WHERE name = 'mailboxes';
  -- An empty mailbox leaves no row behind: the file does not keep a list of tags once served.
  DELETE FROM mailboxes WHERE tag = OLD.tag AND messages = 0;
END;

CREATE TABLE seen_ids (
  namespace  TEXT NOT NULL,
  id         BLOB NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (namespace, id)
) WITHOUT ROWID;
CREATE INDEX seen_ids_expiry ON seen_ids (expires_at);
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'outbox queues, hosted mailboxes, seen-id log',
    up(db) {
      db.exec(schemaV1);
    },
  },
  {
    version: 2,
    description: 'outbox: the mailbox tag in its own column (unpacks the gateway queue\'s records)',
    up: migrateOutboxTag,
  },
];

export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.length === 0 ? 0 : (migrations[migrations.length - 1] as Migration).version;
}

export interface MigrationOutcome {
  readonly from: number;
  readonly to: number;
}

/**
 * Brings the file to the latest version. Throws SchemaTooNewError for a
 * file from newer code and MigrationError (file unchanged) when a step fails.
 */
export function migrate(db: Database, path: string, migrations: readonly Migration[] = MIGRATIONS): MigrationOutcome {
  migrations.forEach((m, i) => {
    // Programmer misuse: the list must be 1, 2, 3... so that a version names one schema.
    if (m.version !== i + 1) throw new Error(`migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = latestVersion(migrations);
  if (from > latest) throw new SchemaTooNewError(path, from, latest);
  for (const m of migrations) {
    if (m.version <= from) continue;
    const step = db.transaction(() => {
      if (m.version === 1) db.pragma(`application_id = ${MEOW_APPLICATION_ID}`);
      m.up(db);
      // Integer from our own table, never user input: safe to interpolate (pragmas take no parameters).
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      step.immediate();
    } catch (cause) {
      throw new MigrationError(path, m.version, { cause });
    }
  }
  return { from, to: latest };
}
