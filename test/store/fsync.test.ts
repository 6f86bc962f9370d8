/**
 * The durability promise, observed with strace on a child process:
 *  - with synchronous=FULL every committed write is followed by an fsync of
 *    the WAL before the call returns: 60 deposits cause 50 more syncs than
 *    10. (A kill -9 test cannot tell FULL from NORMAL, since the OS page
 *    cache survives a process crash; this one can.)
 *  - when the disk fails a sync (strace injects EIO, as a dying SD card
 *    would), that write throws StoreIoError, is not acknowledged and is not
 *    in the file; the store carries on with the next writes.
 * Skipped where strace is missing or ptrace is not allowed.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from './helpers.ts';
import { missingTool } from '../support/required-tool.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const dir = makeTempDir('meow-fsync-');
afterAll(() => dir.remove());

const straceWorks = spawnSync('strace', ['-qq', '-e', 'trace=none', 'true'], { stdio: 'ignore' }).status === 0;
missingTool('strace', straceWorks, 'the store\'s syscall-trace tests');

function traced(dbPath: string, deposits: number, straceArgs: string[]): { syncs: number; lines: string[] } {
  const trace = `${dbPath}.trace`;
  const result = spawnSync(
    'strace',
    ['-f', '-qq', '-e', 'trace=fsync,fdatasync', ...straceArgs, '-o', trace,
      process.execPath, '--import', 'tsx', join(here, 'fsync-child.ts'), dbPath, String(deposits)],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], timeout: 30_000, encoding: 'utf8' },
  );
  expect(result.status).toBe(0);
  const syncs = readFileSync(trace, 'utf8').split('\n').filter((line) => /\b(fsync|fdatasync)\(/.test(line)).length;
  return { syncs, lines: result.stdout.split('\n').filter((line) => line.length > 0) };
}

const syncsFor = (deposits: number): number => traced(dir.file(`fsync-${deposits}.db`), deposits, []).syncs;

describe('synchronous=FULL', () => {
  it.skipIf(!straceWorks)('syncs once per committed write', () => {
    const few = syncsFor(10);
    const many = syncsFor(60);
    expect(many - few).toBe(50);
  });

  it.skipIf(!straceWorks)('a failed sync fails that write alone, and it is not in the file', () => {
    const path = dir.file('eio.db');
    // The 20th sync of the process: past the ones at open (about 9 here), mid-ingest.
    const { lines } = traced(path, 30, ['-e', 'inject=fsync:error=EIO:when=20']);
    const failed = lines.filter((l) => l.startsWith('ERR'));
    expect(failed).toHaveLength(1);
    const [, index, code] = (failed[0] as string).split(' ');
    expect(code).toBe('store-io-error');
    expect(lines.filter((l) => l.startsWith('ACK'))).toHaveLength(29);
    const raw = new Database(path, { readonly: true });
    const stored = (raw.prepare('SELECT id FROM mailbox_messages ORDER BY seq').all() as { id: Buffer }[]).map((r) => r.id[0]);
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
    expect(stored).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i !== Number(index)));
  });
});
