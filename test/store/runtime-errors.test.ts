/**
 * Failures while running, as typed errors that change nothing: a full disk
 * (simulated with maxFileBytes, i.e. PRAGMA max_page_count), a lock held by
 * another connection, and writes on a read-only handle.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../node-runtime/store/index.ts';
import { createGroupCommit, openStore, StoreBusyError, StoreFullError, StoreOpenError, StoreReadOnlyError } from '../../node-runtime/store/index.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { id, makeTempDir, ManualClock, patterned } from './helpers.ts';

const dir = makeTempDir();
afterAll(() => dir.remove());
let n = 0;
const fresh = (): string => dir.file(`runtime-${n++}.db`);
const tag = new Uint8Array([5, 5, 5, 5]);
const roomy = { maxMessagesPerMailbox: 1e6, maxBytesPerMailbox: 1e12, maxMessagesTotal: 1e6, maxBytesTotal: 1e12 };

function fillUntilFull(store: Store): number {
  for (let i = 0; i < 1000; i++) {
    try {
      store.mailboxes.deposit(tag, id(i & 0xff, i >> 8), patterned(3000, i));
    } catch (e) {
      expect(e).toBeInstanceOf(StoreFullError);
      expect(e).toMatchObject({ name: 'StoreFullError', code: 'store-full' });
      return i;
    }
  }
  throw new Error('never full');
}

describe('a full disk', () => {
  it('refuses the write, keeps every accepted message, and accepts again once room is freed', () => {
    const store = openStore({ path: fresh(), clock: new ManualClock(), random: new SeededRandom(1), mailbox: roomy, maxFileBytes: 128 * 1024 });
    const accepted = fillUntilFull(store);
    expect(accepted).toBeGreaterThan(10);
    expect(store.mailboxes.counts(tag).messages).toBe(accepted);
    const listed = store.mailboxes.list(tag, { limit: 1000 });
    listed.forEach((m, i) => expect(m.bytes).toEqual(patterned(3000, i)));
    expect(store.integrityCheck()).toEqual(['ok']);
    store.mailboxes.delete(tag, listed.slice(0, 5).map((m) => m.id));
    expect(store.mailboxes.deposit(tag, id(0xee, 0xee), patterned(3000, 1))).toBe('stored');
    store.close();
  });

  it('fails a whole group-commit batch and stores none of it', async () => {
    const store = openStore({ path: fresh(), clock: new ManualClock(), random: new SeededRandom(1), mailbox: roomy, maxFileBytes: 128 * 1024 });
    const group = createGroupCommit(store);
    const results = await Promise.allSettled(
      Array.from({ length: 80 }, (_, i) => group.run(() => store.mailboxes.deposit(tag, id(i), patterned(3000, i)))),
    );
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof StoreFullError)).toBe(true);
    expect(store.mailboxes.totals().messages).toBe(0);
    expect(store.integrityCheck()).toEqual(['ok']);
    store.close();
  });
});

describe('another connection holding the write lock', () => {
  it('gives StoreBusyError after busy_timeout, and the write did not happen', () => {
    const path = fresh();
    const store = openStore({ path, clock: new ManualClock(), random: new SeededRandom(1), busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    expect(() => store.mailboxes.deposit(tag, id(1), patterned(10, 1))).toThrow(StoreBusyError);
    other.exec('ROLLBACK');
    other.close();
    expect(store.mailboxes.totals().messages).toBe(0);
    expect(store.mailboxes.deposit(tag, id(1), patterned(10, 1))).toBe('stored');
    store.close();
  });
});

describe('read-only open', () => {
  it('reads beside a running writer, refuses writes, and leaves its leases alone', () => {
    const path = fresh();
    const clock = new ManualClock();
    const daemon = openStore({ path, clock, random: new SeededRandom(1) });
    const outbox = daemon.outbox('router');
    outbox.enqueue({ id: id(1), destination: 'x', bytes: patterned(8, 1), priority: 0, expiresAt: clock.now() + 1e6 });
    outbox.enqueue({ id: id(2), destination: 'x', bytes: patterned(8, 2), priority: 0, expiresAt: clock.now() + 1e6 });
    expect(outbox.leaseNext(1).map((i) => i.id[0])).toEqual([1]);
    daemon.mailboxes.deposit(tag, id(3), patterned(8, 3));

    const status = openStore({ path, clock, random: new SeededRandom(2), readOnly: true });
    expect(status.outbox('router').depth()).toEqual({ messages: 2, bytes: 16 });
    expect(status.mailboxes.totals()).toEqual({ mailboxes: 1, messages: 1, bytes: 8 });
    expect(status.info().journalMode).toBe('wal');
    expect(() => status.mailboxes.deposit(tag, id(4), patterned(8, 4))).toThrow(StoreReadOnlyError);
    expect(() => status.outbox('router').leaseNext(5)).toThrow(StoreReadOnlyError);
    status.close();

    // The daemon's lease is still in force: only item 2 is handed out.
    expect(outbox.leaseNext(5).map((i) => i.id[0])).toEqual([2]);
    daemon.close();
  });

  it('needs an existing file at the current version', () => {
    expect(() => openStore({ path: fresh(), clock: new ManualClock(), random: new SeededRandom(1), readOnly: true })).toThrow(
      expect.objectContaining({ name: 'StoreOpenError', code: 'store-open-failed' }),
    );
    const path = fresh();
    new Database(path).close();
    const e = (() => {
      try {
        openStore({ path, clock: new ManualClock(), random: new SeededRandom(1), readOnly: true });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(StoreOpenError);
  });
});
