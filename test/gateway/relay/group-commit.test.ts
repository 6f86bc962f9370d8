/**
 * The relay's group commit (gateway/server/group-commit.ts) on fake timers:
 * the adaptive window (a batch waits, at most maxWaitMs, to reach the size
 * of the previous one; a lone client is never delayed), answers only after
 * the commit, one failing op undoing only itself, a failed commit failing
 * the whole batch, and flushNow() before close.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit } from '../../../gateway/server/group-commit.ts';

function setUp(maxWaitMs = 2) {
  const log: string[] = [];
  let failCommit = false;
  const gc = new GroupCommit(
    (fn) => {
      log.push('begin');
      fn();
      if (failCommit) throw new Error('disk full');
      log.push('commit');
    },
    (op) => op(),
    { maxWaitMs },
  );
  const settled: string[] = [];
  const submit = (name: string, op: () => unknown = () => name): Promise<unknown> =>
    gc.submit(() => {
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

describe('relay group commit', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setImmediate', 'setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('commits a lone request at the end of its turn, and answers only after the commit', async () => {
    const { gc, log, settled, submit } = setUp();
    void submit('a');
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(['begin', 'op a', 'commit']);
    expect(settled).toEqual(['a=a']);
    expect(gc.stats).toEqual({ commits: 1, ops: 1 });
  });

  it('waits for a batch as large as the previous one, at most maxWaitMs', async () => {
    const { gc, settled, submit } = setUp(2);
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
    const { gc, submit } = setUp(0);
    void submit('a');
    void submit('b');
    await vi.advanceTimersByTimeAsync(0);
    void submit('c');
    await vi.advanceTimersByTimeAsync(0);
    expect(gc.stats).toEqual({ commits: 2, ops: 3 });
  });

  it('rejects only the op that threw; a failed commit rejects the whole batch', async () => {
    const { settled, submit, failCommit } = setUp();
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

  it('flushNow() commits what waits without waiting', async () => {
    const { gc, settled, submit } = setUp(50);
    void submit('a');
    void submit('b');
    await vi.advanceTimersByTimeAsync(0);
    void submit('c');
    await vi.advanceTimersByTimeAsync(0);
    expect(gc.stats.commits).toBe(1);
    gc.flushNow();
    expect(gc.stats).toEqual({ commits: 2, ops: 3 });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toEqual(['a=a', 'b=b', 'c=c']);
    gc.flushNow(); // nothing queued: no empty commit
    expect(gc.stats.commits).toBe(2);
  });
});
