/** The strace reader and the power-cut file model behind power-cut.test.ts, on hand-written log lines. */
import { describe, expect, it } from 'vitest';
import { parseTrace, SimulatedFile } from './syscall-trace.ts';

const x = (text: string | Uint8Array): string =>
  [...(typeof text === 'string' ? new TextEncoder().encode(text) : text)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
const db = '/tmp/s/store.db';
const wal = '/tmp/s/store.db-wal';

describe('parseTrace', () => {
  it('reads writes, truncations, completed and resumed syncs, and stdout, in order', () => {
    const log = [
      `100 pwrite64(5<${x(wal)}>, "${x(new Uint8Array([1, 2, 3]))}", 3, 4096) = 3`,
      `100 pwrite64(7<${x('/other/file')}>, "${x('zz')}", 2, 0) = 2`,
      `100 fdatasync(5<${x(wal)}> <unfinished ...>`,
      `101 write(9<${x('anon_inode:[eventfd]')}>, "${x('\u0001')}", 8) = 8`,
      `100 <... fdatasync resumed>)            = 0`,
      `100 write(1<${x('pipe:[42]')}>, "${x('ACK 0\n')}", 6) = 6`,
      `100 ftruncate(5<${x(wal)}>, 0) = 0`,
      `100 fsync(4<${x(db)}>) = -1 EIO (Input/output error)`,
      `100 pwrite64(4<${x(db)}>, "${x('ab')}", 2, 10 <unfinished ...>`,
      `100 fsync(4<${x(db)}>) = 0`,
    ].join('\n');
    const events = parseTrace(log, (p) => p === db || p === wal);
    expect(events).toEqual([
      { kind: 'write', path: wal, offset: 4096, data: new Uint8Array([1, 2, 3]) },
      { kind: 'sync', path: wal },
      { kind: 'stdout', text: 'ACK 0\n' },
      { kind: 'truncate', path: wal, length: 0 },
      { kind: 'write', path: db, offset: 10, data: new TextEncoder().encode('ab') },
      { kind: 'sync', path: db },
    ]);
  });
});

describe('SimulatedFile', () => {
  it('keeps synced writes, and of the unsynced ones only those the cut spares', () => {
    const f = new SimulatedFile();
    f.write(0, new Uint8Array([1, 1, 1, 1]));
    expect(f.afterCut(() => false)).toEqual(new Uint8Array(0));
    f.sync();
    f.write(2, new Uint8Array([9, 9, 9]));
    f.write(0, new Uint8Array([5]));
    expect(f.afterCut(() => false)).toEqual(new Uint8Array([1, 1, 1, 1]));
    expect(f.afterCut((i) => i === 1)).toEqual(new Uint8Array([5, 1, 1, 1]));
    expect(f.afterCut(() => true)).toEqual(new Uint8Array([5, 1, 9, 9, 9]));
    expect(f.durable).toEqual(new Uint8Array([1, 1, 1, 1])); // a cut never changes what is durable
    f.truncate(2);
    f.sync();
    expect(f.durable).toEqual(new Uint8Array([5, 1]));
  });
});
