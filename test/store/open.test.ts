/**
 * openStore() on real files: the durability settings it promises, reopening,
 * and a clear typed error (never a crash, never an altered file) for a
 * non-SQLite file, another program's database, a damaged file, a file from
 * newer code or a missing directory.
 */
import Database from 'better-sqlite3';
import { closeSync, copyFileSync, existsSync, openSync, readFileSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../node-runtime/store/index.ts';
import { openStore, SchemaTooNewError, StoreCorruptError, StoreOpenError } from '../../node-runtime/store/index.ts';
import { MEOW_APPLICATION_ID } from '../../node-runtime/store/schema.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { id, makeTempDir, ManualClock, patterned } from './helpers.ts';

const dir = makeTempDir();
afterAll(() => dir.remove());
let n = 0;
const fresh = (): string => dir.file(`open-${n++}.db`);
const open = (path: string, clock = new ManualClock()): Store => openStore({ path, clock, random: new SeededRandom(1) });
const tag = new Uint8Array([1, 2, 3, 4]);

function openError(path: string): { name: string; code: string; message: string } {
  try {
    open(path).close();
  } catch (e) {
    return e as { name: string; code: string; message: string };
  }
  throw new Error(`${path} opened`);
}

/** A store closed with `count` messages of 300 bytes in it: about 25 pages of 4 KiB. */
function populated(count = 300): string {
  const path = fresh();
  const s = open(path);
  s.batch(() => {
    for (let i = 0; i < count; i++) s.mailboxes.deposit(tag, id(i & 0xff, i >> 8), patterned(300, i));
  });
  s.close();
  return path;
}

describe('openStore settings', () => {
  it('uses WAL, synchronous=FULL, foreign keys, secure_delete and a busy timeout', () => {
    const s = open(fresh());
    expect(s.info()).toEqual({
      path: s.path,
      schemaVersion: 2,
      journalMode: 'wal',
      synchronous: 2,
      foreignKeys: true,
      secureDelete: true,
      busyTimeoutMs: 5000,
    });
    s.close();
  });

  it('marks the file as a Meow store at schema version 2', () => {
    const path = fresh();
    open(path).close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('application_id', { simple: true })).toBe(MEOW_APPLICATION_ID);
    expect(raw.pragma('user_version', { simple: true })).toBe(2);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('commits to the WAL before a write returns, visible to another connection', () => {
    const path = fresh();
    const s = open(path);
    s.mailboxes.deposit(tag, id(1), patterned(100, 1));
    expect(existsSync(`${path}-wal`)).toBe(true);
    const raw = new Database(path, { readonly: true });
    const row = raw.prepare('SELECT bytes FROM mailbox_messages').get() as { bytes: Buffer };
    expect(new Uint8Array(row.bytes)).toEqual(patterned(100, 1));
    raw.close();
    s.close();
  });

  it('keeps everything across close and reopen, and releases stale leases', () => {
    const path = fresh();
    const clock = new ManualClock();
    const s = open(path, clock);
    const outbox = s.outbox('router', { leaseMs: 3_600_000 });
    outbox.enqueue({ id: id(1), destination: 'a', bytes: patterned(20, 1), priority: 1, expiresAt: clock.now() + 1e7 });
    expect(outbox.leaseNext(1)).toHaveLength(1);
    s.mailboxes.deposit(tag, id(2), patterned(30, 2));
    s.close();
    const again = open(path, clock);
    // The process that held the lease is gone: the item is due again at once.
    expect(again.outbox('router').leaseNext(5).map((i) => [i.id[0], i.attempts])).toEqual([[1, 2]]);
    expect(again.mailboxes.list(tag, { limit: 5 })[0]?.bytes).toEqual(patterned(30, 2));
    expect(again.integrityCheck()).toEqual(['ok']);
    again.close();
  });

  it('opens an empty file as a new store', () => {
    const path = fresh();
    writeFileSync(path, new Uint8Array(0));
    const s = open(path);
    expect(s.info().schemaVersion).toBe(2);
    s.close();
  });
});

describe('openStore refuses what it must not touch, with a typed error', () => {
  it('a file that is not SQLite: not-a-database, file unchanged', () => {
    for (const content of [new TextEncoder().encode('just some text, not a database\n'.repeat(200)), patterned(8192, 7)]) {
      const path = fresh();
      writeFileSync(path, content);
      const e = openError(path);
      expect(e).toBeInstanceOf(StoreOpenError);
      expect(e).toMatchObject({ name: 'StoreOpenError', code: 'not-a-database' });
      expect(e.message).toContain(path);
      expect(new Uint8Array(readFileSync(path))).toEqual(content);
      expect(existsSync(`${path}-wal`)).toBe(false);
    }
  });

  it("another program's SQLite database: not-a-meow-store, still in its own journal mode", () => {
    const path = fresh();
    const other = new Database(path);
    other.exec('CREATE TABLE contacts (name TEXT)');
    other.close();
    expect(openError(path)).toMatchObject({ name: 'StoreOpenError', code: 'not-a-meow-store' });
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('delete');
    raw.close();

    const tagged = fresh();
    const foreign = new Database(tagged);
    foreign.pragma('application_id = 1234');
    foreign.close();
    expect(openError(tagged)).toMatchObject({ code: 'not-a-meow-store' });
  });

  it('damaged pages, bad header fields or a truncated file: store-corrupt', () => {
    const base = populated();
    const size = statSync(base).size;
    expect(size).toBeGreaterThan(20 * 4096);
    const damage: Array<[string, (path: string) => void]> = [
      ['garbage over page 2', (p) => overwrite(p, 4096, new Uint8Array(4096).fill(0xaa))],
      ['garbage over page 10', (p) => overwrite(p, 9 * 4096, new Uint8Array(4096).fill(0x55))],
      ['page count in the header', (p) => overwrite(p, 28, new Uint8Array([0xff, 0xff, 0xff, 0xff]))],
      ['a b-tree page header', (p) => overwrite(p, 4096 + 3, new Uint8Array([0xff, 0xff, 0xff, 0xff]))],
      ['truncated to half', (p) => truncateSync(p, Math.floor(size / 2))],
    ];
    for (const [label, hurt] of damage) {
      const path = fresh();
      copyFileSync(base, path);
      hurt(path);
      const e = openError(path);
      expect(e, label).toBeInstanceOf(StoreCorruptError);
      expect(e, label).toMatchObject({ name: 'StoreCorruptError', code: 'store-corrupt' });
      expect((e as StoreCorruptError).problems.length, label).toBeGreaterThan(0);
    }
  });

  it('a file from newer code: schema-too-new, left as it is', () => {
    const path = fresh();
    open(path).close();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    const e = openError(path);
    expect(e).toBeInstanceOf(SchemaTooNewError);
    expect(e).toMatchObject({ code: 'schema-too-new', fileVersion: 99, supportedVersion: 2 });
  });

  it('a missing directory: store-open-failed', () => {
    expect(openError(dir.file('no/such/dir/store.db'))).toMatchObject({ name: 'StoreOpenError', code: 'store-open-failed' });
  });

  it('bad options are refused before the file is created', () => {
    const path = fresh();
    expect(() => openStore({ path, clock: new ManualClock(), random: new SeededRandom(1), mailbox: { maxTtlMs: -1 } })).toThrow(
      expect.objectContaining({ code: 'bad-argument' }),
    );
    expect(existsSync(path)).toBe(false);
  });
});

function overwrite(path: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}
