/**
 * Durable store throughput on a real file (WAL, synchronous=FULL): each
 * deposit is one fsync'ed commit, so the disk sets the pace. Baselines
 * measured in the same run on the same disk:
 *  - a bare better-sqlite3 INSERT with the same settings (what our checks,
 *    dedup, quotas and counters cost on top of SQLite);
 *  - the same bare INSERT with synchronous=NORMAL (what durability against
 *    power loss costs: NORMAL skips the fsync at commit);
 *  - batch(): 100 deposits in one commit, and GroupCommit with 100
 *    concurrent writers (what a busy relay should use).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { createGroupCommit, openStore } from '../../node-runtime/store/index.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { type Benchmark, opsPerSecond, withBaseline } from './harness.ts';

const bench: Benchmark = async (ctx) => {
  const ms = ctx.quick ? 200 : 1500;
  const dir = mkdtempSync(join(tmpdir(), 'meow-bench-store-'));
  try {
    const random = new SeededRandom('bench-store');
    const envelope = random.bytes(200);
    const tags = Array.from({ length: 64 }, () => random.bytes(16));
    const idOf = (n: number): Uint8Array => {
      const id = new Uint8Array(16);
      new DataView(id.buffer).setFloat64(0, n);
      return id;
    };
    const mailbox = { maxMessagesPerMailbox: 1e9, maxBytesPerMailbox: 1e12, maxMessagesTotal: 1e9, maxBytesTotal: 1e12 };

    const bare = (synchronous: 'FULL' | 'NORMAL'): number => {
      const db = new Database(join(dir, `bare-${synchronous}.db`));
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous}`);
      db.exec('CREATE TABLE m (tag BLOB, id BLOB, bytes BLOB, UNIQUE (tag, id))');
      const insert = db.prepare('INSERT INTO m VALUES (?, ?, ?)');
      let n = 0;
      const rate = opsPerSecond(() => {
        n++;
        insert.run(tags[n % tags.length], idOf(n), envelope);
      }, ms);
      db.close();
      return rate;
    };
    const bareFull = bare('FULL');
    const bareNormal = bare('NORMAL');

    // CPU cost without the disk: the same code on ':memory:' against a bare INSERT in memory.
    const memoryDb = new Database(':memory:');
    memoryDb.exec('CREATE TABLE m (tag BLOB, id BLOB, bytes BLOB, UNIQUE (tag, id))');
    const memoryInsert = memoryDb.prepare('INSERT INTO m VALUES (?, ?, ?)');
    let k = 0;
    const bareMemory = opsPerSecond(() => {
      k++;
      memoryInsert.run(tags[k % tags.length], idOf(k), envelope);
    }, ms);
    memoryDb.close();
    const memoryStore = openStore({ path: ':memory:', clock: systemClock, random, mailbox });
    const inMemory = opsPerSecond(() => {
      k++;
      memoryStore.mailboxes.deposit(tags[k % tags.length] as Uint8Array, idOf(k), envelope);
    }, ms);
    memoryStore.close();
    ctx.report(withBaseline('store.mailbox.deposit.memory', inMemory, 'ops/s', bareMemory, 'bare INSERT in :memory:'));

    const store = openStore({ path: join(dir, 'store.db'), clock: systemClock, random, mailbox });
    let n = 0;
    const deposit = (): void => {
      n++;
      store.mailboxes.deposit(tags[n % tags.length] as Uint8Array, idOf(n), envelope);
    };
    const single = opsPerSecond(deposit, ms);
    ctx.report(withBaseline('store.mailbox.deposit', single, 'ops/s', bareFull, 'bare better-sqlite3 INSERT, WAL + FULL'));
    ctx.report(withBaseline('store.sqlite.insert.full', bareFull, 'ops/s', bareNormal, 'bare INSERT, WAL + NORMAL (no fsync per commit)'));
    const batched = opsPerSecond(() => store.batch(() => {
      for (let i = 0; i < 100; i++) deposit();
    }), ms) * 100;
    ctx.report(withBaseline('store.mailbox.deposit.batch100', batched, 'ops/s', single, 'one commit per deposit'));

    // 100 concurrent writers (a relay's clients) through GroupCommit: one commit per event-loop turn.
    const group = createGroupCommit(store);
    let done = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      await Promise.all(Array.from({ length: 100 }, () => group.run(deposit)));
      done += 100;
    }
    const grouped = (done * 1000) / (performance.now() - start);
    ctx.report(withBaseline('store.mailbox.deposit.group100', grouped, 'ops/s', single, 'one commit per deposit'));

    const outbox = store.outbox('bench', { maxMessages: 1e9, maxBytes: 1e12 });
    let m = 0;
    const cycle = opsPerSecond(() => {
      m++;
      outbox.enqueue({ id: idOf(m), destination: 'relay', bytes: envelope, priority: 3, expiresAt: systemClock.now() + 3_600_000 });
      const [item] = outbox.leaseNext(1);
      if (item) outbox.markSent(item.id);
    }, ms);
    ctx.report({ name: 'store.outbox.enqueue-lease-sent', value: cycle, unit: 'cycles/s' });
    // The gateway's shape: the mailbox tag in its own column beside the envelope (schema v2).
    const gateway = store.outbox('bench-gateway', { maxMessages: 1e9, maxBytes: 1e12 });
    const tagged = opsPerSecond(() => {
      m++;
      gateway.enqueue({ id: idOf(m), destination: 'relay', tag: tags[m % tags.length], bytes: envelope, priority: 3, expiresAt: systemClock.now() + 3_600_000 });
      const [item] = gateway.leaseNext(1);
      if (item) gateway.markSent(item.id);
    }, ms);
    ctx.report(withBaseline('store.outbox.enqueue-lease-sent.tagged', tagged, 'cycles/s', cycle, 'the same cycle without a tag'));
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
