/**
 * Schema versioning (node-runtime/store/schema.ts): each migration runs in
 * one transaction with its user_version bump, so a failing step leaves the
 * file whole at the previous version.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MigrationError, SchemaTooNewError } from '../../node-runtime/store/index.ts';
import type { Migration } from '../../node-runtime/store/schema.ts';
import { latestVersion, MEOW_APPLICATION_ID, migrate, MIGRATIONS } from '../../node-runtime/store/schema.ts';
import { makeTempDir } from './helpers.ts';

const dir = makeTempDir();
afterAll(() => dir.remove());
let n = 0;
const fresh = (): Database.Database => new Database(dir.file(`migrate-${n++}.db`));
const tables = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );

const v2: Migration = {
  version: 2,
  description: 'test: a column on outbox',
  up: (db) => db.exec('ALTER TABLE outbox ADD COLUMN note TEXT'),
};
const v2Broken: Migration = {
  version: 2,
  description: 'test: fails half-way',
  up: (db) => {
    db.exec('CREATE TABLE half_done (x INTEGER)');
    db.exec('THIS IS NOT SQL');
  },
};

describe('migrate', () => {
  it('creates the v1 schema on an empty file and marks it as a Meow store', () => {
    const db = fresh();
    expect(migrate(db, 'x')).toEqual({ from: 0, to: 1 });
    expect(latestVersion()).toBe(MIGRATIONS.length);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.pragma('application_id', { simple: true })).toBe(MEOW_APPLICATION_ID);
    expect(tables(db)).toEqual(['mailbox_messages', 'mailboxes', 'outbox', 'outbox_queues', 'seen_ids', 'totals']);
    expect(migrate(db, 'x')).toEqual({ from: 1, to: 1 });
    db.close();
  });

  it('applies only the steps a file lacks', () => {
    const db = fresh();
    migrate(db, 'x');
    expect(migrate(db, 'x', [...MIGRATIONS, v2])).toEqual({ from: 1, to: 2 });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    const columns = (db.pragma('table_info(outbox)') as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('note');
    db.close();
  });

  it('rolls a failing step back entirely and keeps the old version', () => {
    const db = fresh();
    migrate(db, 'x');
    let error: unknown;
    try {
      migrate(db, 'x', [...MIGRATIONS, v2Broken]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({ code: 'migration-failed', toVersion: 2 });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(tables(db)).not.toContain('half_done');
    db.close();
  });

  it('refuses a file newer than the code, and a list with gaps', () => {
    const db = fresh();
    db.pragma('user_version = 5');
    expect(() => migrate(db, 'x')).toThrow(SchemaTooNewError);
    expect(() => migrate(fresh(), 'x', [{ ...v2 }])).toThrow(/expected 1/);
    db.close();
  });
});
