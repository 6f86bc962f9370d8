/**
 * store.database(): a trusted caller's tables in the store's own file and
 * connection (the relay server's registrations and counters), written in
 * the same batch() as the store's messages: one transaction, atomic as a
 * whole, durable settings unchanged, kept across reopening.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, StoreClosedError, type Store } from '../../node-runtime/store/index.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { id, makeTempDir, ManualClock } from './helpers.ts';

const dir = makeTempDir('meow-store-db-');
afterAll(() => dir.remove());
let n = 0;
const fresh = (): string => dir.file(`co-located-${n++}.db`);
const open = (path: string): Store => openStore({ path, clock: new ManualClock(1_000), random: new SeededRandom(7) });
const tag = new Uint8Array([9, 9, 9, 9]);
const EXTRA = 'CREATE TABLE IF NOT EXISTS extra_rows (k INTEGER PRIMARY KEY, v TEXT NOT NULL)';

function extraRows(db: Database.Database): { k: number; v: string }[] {
  return db.prepare('SELECT k, v FROM extra_rows ORDER BY k').all() as { k: number; v: string }[];
}

describe('store.database()', () => {
  it('is the store connection itself, with the durable settings of the store', () => {
    const store = open(fresh());
    const db = store.database();
    expect(db).toBe(store.database());
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
    expect(db.open).toBe(false);
  });

  it('commits the caller rows and the store writes of one batch together, and keeps them across reopening', () => {
    const path = fresh();
    const store = open(path);
    const db = store.database();
    db.exec(EXTRA);
    const insert = db.prepare('INSERT INTO extra_rows (k, v) VALUES (?, ?)');
    expect(store.batch(() => {
      insert.run(1, 'one');
      return store.mailboxes.deposit(tag, id(1), new Uint8Array([1]));
    })).toBe('stored');
    store.close();

    // A plain second connection sees both in the one file.
    const raw = new Database(path, { readonly: true });
    expect(extraRows(raw)).toEqual([{ k: 1, v: 'one' }]);
    expect((raw.prepare('SELECT count(*) AS n FROM mailbox_messages').get() as { n: number }).n).toBe(1);
    raw.close();

    // Reopening (quick_check, migrations) leaves the caller table alone.
    const again = open(path);
    again.database().exec(EXTRA);
    expect(extraRows(again.database())).toEqual([{ k: 1, v: 'one' }]);
    expect(again.mailboxes.counts(tag).messages).toBe(1);
    expect(again.integrityCheck()).toEqual(['ok']);
    again.close();
  });

  it('rolls back the caller rows and the store writes together when the batch throws', () => {
    const store = open(fresh());
    const db = store.database();
    db.exec(EXTRA);
    const insert = db.prepare('INSERT INTO extra_rows (k, v) VALUES (?, ?)');
    expect(() => store.batch(() => {
      insert.run(2, 'two');
      store.mailboxes.deposit(tag, id(2), new Uint8Array([2]));
      throw new Error('abort');
    })).toThrow('abort');
    expect(extraRows(db)).toEqual([]);
    expect(store.mailboxes.counts(tag).messages).toBe(0);
    // A caller transaction inside a batch is a savepoint: its throw undoes only its own rows.
    const inner = db.transaction((k: number) => {
      insert.run(k, 'inner');
      throw new Error('inner');
    });
    store.batch(() => {
      store.mailboxes.deposit(tag, id(3), new Uint8Array([3]));
      expect(() => inner(3)).toThrow('inner');
      insert.run(4, 'kept');
    });
    expect(extraRows(db)).toEqual([{ k: 4, v: 'kept' }]);
    expect(store.mailboxes.counts(tag).messages).toBe(1);
    store.close();
  });

  it('throws StoreClosedError after close()', () => {
    const store = open(fresh());
    store.close();
    expect(() => store.database()).toThrow(StoreClosedError);
  });
});
