/**
 * One program per data directory: two relays (or two nodes) on one SQLite
 * store and one key would answer as the same server and corrupt each other's
 * state. The lock is a file holding the owner's pid, created exclusively; a
 * lock left by a process that no longer exists (kill -9, power loss) is
 * taken over. Shared by the programs (they do not import each other).
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from './errors.ts';

export class DirLockError extends AppError<'dir-locked'> {
  override readonly name = 'DirLockError';
}

export interface DirLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `<dir>/<fileName>` for this process; DirLockError naming the owner when a live process holds it. */
export function lockDirectory(dir: string, fileName: string, program: string): DirLock {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, fileName);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { release: () => { try { unlinkSync(path); } catch { /* already gone */ } } };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
        throw new DirLockError('dir-locked', `another ${program} (pid ${owner}) is using ${dir}: stop it first, or give another data directory`, { dir, pid: owner });
      }
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw new DirLockError('dir-locked', `cannot lock ${dir}`, { dir });
}
