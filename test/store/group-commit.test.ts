/** GroupCommit: many writes, one commit; each promise settles after the commit; one failure stays alone. */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { createGroupCommit, openStore, QuotaExceededError, StoreClosedError } from '../../node-runtime/store/index.ts';
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
