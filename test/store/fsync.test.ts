/**
 * The durability promise, observed: with synchronous=FULL every committed
 * write is followed by an fsync of the WAL before the call returns. Counted
 * with strace on a child process: 60 deposits cause 50 more syncs than 10
 * deposits. (A kill -9 test cannot tell FULL from NORMAL, since the OS page
 * cache survives a process crash; this one can.) Skipped where strace is
 * missing or ptrace is not allowed.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from './helpers.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const dir = makeTempDir('meow-fsync-');
afterAll(() => dir.remove());

const straceWorks = spawnSync('strace', ['-qq', '-e', 'trace=none', 'true'], { stdio: 'ignore' }).status === 0;

function syncsFor(deposits: number): number {
  const trace = dir.file(`trace-${deposits}.txt`);
  const result = spawnSync(
    'strace',
    ['-f', '-qq', '-e', 'trace=fsync,fdatasync', '-o', trace,
      process.execPath, '--import', 'tsx', join(here, 'fsync-child.ts'), dir.file(`fsync-${deposits}.db`), String(deposits)],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'], timeout: 30_000 },
  );
  expect(result.status).toBe(0);
  return readFileSync(trace, 'utf8').split('\n').filter((line) => /\b(fsync|fdatasync)\(/.test(line)).length;
}

describe('synchronous=FULL', () => {
  it.skipIf(!straceWorks)('syncs once per committed write', () => {
    const few = syncsFor(10);
    const many = syncsFor(60);
    expect(many - few).toBe(50);
  });
});
