/**
 * GroupCommit (node-runtime/store/group-commit.ts), for both of its users.
 * The store's: many writes, one commit; each promise settles after the
 * commit; one failure stays alone. The relay's adaptive window, on fake
 * timers: a batch waits, at most maxWaitMs, to reach the size of the
 * previous one; a lone client is never delayed; answers only after the
 * commit, one failing op undoing only itself, a failed commit failing the
 * whole batch, and flush() before close.
 */
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { createGroupCommit, openStore, QuotaExceededError, StoreClosedError } from '../../node-runtime/store/index.ts';
import type { BatchTarget } from '../../node-runtime/store/group-commit.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { id, makeTempDir, patterned } from './helpers.ts';

const dir = makeTempDir();
afterAll(() => dir.remove());
let n = 0;
const tag = new Uint8Array([7, 7, 7, 7]);

function setup(maxBatch?: number) {
  const path = dir.file(`group-${n++}.db`);
  const store = openStore({ path, clock: systemClock, random: new SeededRandom(1), mailbox: { maxMessagesPerMailbox: 50 } });
  const group = createGroupCommit(store, maxBatch === undefined ? {} : { maxBatch });
  return { path, store, group };
}

const committedCount = (path: string): number => {
  const raw = new Database(path, { readonly: true });
  const count = (raw.prepare('SELECT count(*) AS n FROM mailbox_messages').get() as { n: number }).n;
  raw.close();
  return count;
};

describe('group commit', () => {
  it('commits concurrent writes together, and each is on disk when its promise resolves', async () => {
    const { path, store, group } = setup();
    const writes = Array.from({ length: 40 }, (_, i) =>
      group.run(() => store.mailboxes.deposit(tag, id(i), patterned(20, i))).then((result) => {
        // Seen from another connection: committed, not just in this process's memory.
        expect(committedCount(path)).toBe(40);
        return result;
      }),
    );
    expect(group.pending).toBe(40);
    expect(committedCount(path)).toBe(0);
    expect(await Promise.all(writes)).toEqual(Array(40).fill('stored'));
    expect(group.pending).toBe(0);
    store.close();
  });

  it('rolls back and rejects only the write that failed', async () => {
    const { store, group } = setup();
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) => group.run(() => store.mailboxes.deposit(tag, id(i), patterned(5, i)))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(10);
    for (const r of refused) expect(r.reason).toBeInstanceOf(QuotaExceededError);
    expect(store.mailboxes.counts(tag).messages).toBe(50);
    // A write that threw after writing part of its work leaves nothing behind.
    await expect(
      group.run(() => {
        store.mailboxes.delete(tag, [id(0)]);
        throw new Error('half-way');
      }),
    ).rejects.toThrow('half-way');
    expect(store.mailboxes.counts(tag).messages).toBe(50);
    store.close();
  });

  it('commits at maxBatch without waiting, and rejects everything when the store is closed', async () => {
    const { store, group } = setup(8);
    const first = Array.from({ length: 8 }, (_, i) => group.run(() => store.mailboxes.deposit(tag, id(i), patterned(5, i))));
    expect(group.pending).toBe(0); // the 8th write triggered the commit synchronously
    await Promise.all(first);
    const late = group.run(() => store.mailboxes.deposit(tag, id(99), patterned(5, 99)));
    store.close();
    await expect(late).rejects.toBeInstanceOf(StoreClosedError);
  });
});

function setUpAdaptive(maxWaitMs = 2) {
  const log: string[] = [];
  let failCommit = false;
  // Outer batch() is the commit, a nested one a savepoint (here: just runs the op), as a store's.
  let depth = 0;
  const target: BatchTarget = {
    batch<T>(fn: () => T): T {
      if (depth > 0) return fn();
      depth++;
      try {
        log.push('begin');
        const result = fn();
        if (failCommit) throw new Error('disk full');
        log.push('commit');
        return result;
      } finally {
        depth--;
      }
    },
  };
  const gc = createGroupCommit(target, { clock: systemClock, maxBatch: 512, maxWaitMs });
  const settled: string[] = [];
  const submit = (name: string, op: () => unknown = () => name): Promise<unknown> =>
    gc.run(() => {
      log.push(`op ${name}`);
      return op();
    }).then((v) => {
      settled.push(`${name}=${String(v)}`);
      return v;
    }, (e: unknown) => {
      settled.push(`${name}!${(e as Error).message}`);
    });
  return { gc, log, settled, submit, failCommit: () => { failCommit = true; } };
}

describe('group commit with the relay\'s adaptive window (gateway/server/core/relay-core.ts)', () => {
  beforeEach(() => {
    // The clock is systemClock over faked Date and setTimeout: the wait is measured on the injected clock.
    vi.useFakeTimers({ toFake: ['setImmediate', 'setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('commits a lone request at the end of its turn, and answers only after the commit', async () => {
    const { gc, log, settled, submit } = setUpAdaptive();
    void submit('a');
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(['begin', 'op a', 'commit']);
    expect(settled).toEqual(['a=a']);
    expect(gc.stats).toEqual({ commits: 1, ops: 1 });
  });

  it('waits for a batch as large as the previous one, at most maxWaitMs', async () => {
    const { gc, settled, submit } = setUpAdaptive(2);
    void submit('a');
    void submit('b');
    void submit('c');
    await vi.advanceTimersByTimeAsync(0);
    expect(gc.stats).toEqual({ commits: 1, ops: 3 }); // target is now 3
    void submit('d');
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(gc.stats.commits).toBe(1); // d waits for company
    void submit('e');
    void submit('f');
    await vi.advanceTimersByTimeAsync(0);
    expect(gc.stats).toEqual({ commits: 2, ops: 6 }); // d, e, f in one commit, before the 2 ms ran out
    expect(settled).toEqual(['a=a', 'b=b', 'c=c', 'd=d', 'e=e', 'f=f']);

    void submit('g'); // alone: waits 2 ms at most, then the target drops to one
    await vi.advanceTimersByTimeAsync(1);
    expect(gc.stats.commits).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(gc.stats).toEqual({ commits: 3, ops: 7 });
    void submit('h');
    await vi.advanceTimersByTimeAsync(0);
    expect(gc.stats).toEqual({ commits: 4, ops: 8 });
  });

  it('with maxWaitMs 0 commits every turn', async () => {
    const { gc, submit } = setUpAdaptive(0);
    void submit('a');
    void submit('b');
    await vi.advanceTimersByTimeAsync(0);
    void submit('c');
    await vi.advanceTimersByTimeAsync(0);
    expect(gc.stats).toEqual({ commits: 2, ops: 3 });
  });

  it('rejects only the op that threw; a failed commit rejects the whole batch', async () => {
    const { settled, submit, failCommit } = setUpAdaptive();
    void submit('a');
    void submit('bad', () => {
      throw new Error('quota');
    });
    void submit('c');
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toEqual(['a=a', 'bad!quota', 'c=c']);
    failCommit();
    void submit('d');
    void submit('e');
    void submit('f');
    await vi.advanceTimersByTimeAsync(0);
    expect(settled.slice(3)).toEqual(['d!disk full', 'e!disk full', 'f!disk full']);
  });

  it('flush() commits what waits without waiting', async () => {
    const { gc, settled, submit } = setUpAdaptive(50);
    void submit('a');
    void submit('b');
    await vi.advanceTimersByTimeAsync(0);
    void submit('c');
    await vi.advanceTimersByTimeAsync(0);
    expect(gc.stats.commits).toBe(1);
    gc.flush();
    expect(gc.stats).toEqual({ commits: 2, ops: 3 });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toEqual(['a=a', 'b=b', 'c=c']);
    gc.flush(); // nothing queued: no empty commit
    expect(gc.stats.commits).toBe(2);
  });
});

describe('group commit on a simulated clock', () => {
  it('measures and bounds its wait on the injected clock, not the machine\'s', async () => {
    const clock = new SimClock();
    const target: BatchTarget = { batch: (fn) => fn() };
    const gc = createGroupCommit(target, { clock, maxWaitMs: 5, schedule: (check) => void clock.setTimer(0, check) });
    const committedAtMs: number[] = [];
    const write = (): Promise<void> => gc.run(() => undefined).then(() => void committedAtMs.push(clock.now()));
    void write();
    void write();
    await clock.advance(0);
    expect(committedAtMs).toEqual([0, 0]); // the first batch never waits; the target is now 2
    void write();
    await clock.advance(4);
    expect(gc.pending).toBe(1); // alone: waits for company...
    await clock.advance(1);
    expect(committedAtMs).toEqual([0, 0, 5]); // ...5 simulated ms at most
    expect(gc.stats).toEqual({ commits: 2, ops: 3 });
  });
});
