/**
 * A file system refusal in words a user understands. Node's text
 * ("ENOENT: no such file or directory, open '/home/a/.me.key.3f9a01.tmp'")
 * names syscalls and, for a write, the temporary file the atomic write
 * uses: the user is told about the path they typed instead.
 */
import { basename, dirname, relative } from 'node:path';
import { CliError } from './errors.ts';

/** Temporary files of node-runtime/keystore/atomic-write.ts: ".NAME.<12 hex>.tmp" beside the target. */
const ATOMIC_TEMP = /^\.(.+)\.[0-9a-f]{12}\.tmp$/;

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
};

export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return error instanceof Error && typeof code === 'string' && code in REASONS;
}

function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

/**
 * The CliError for a file system error: exit 2 when it is about a path the
 * user gave (missing, a directory, not allowed), 1 when the disk itself
 * fails (full, read-only).
 */
export function fileErrorToCli(error: NodeJS.ErrnoException, cwd: string): CliError {
  const code = error.code ?? '';
  const reason = REASONS[code] ?? code;
  const exit = code === 'ENOSPC' || code === 'EROFS' ? 'runtime' : 'bad-input';
  if (error.path === undefined) return new CliError(exit, reason);
  const temp = ATOMIC_TEMP.exec(basename(error.path));
  if (temp) {
    const dir = shown(dirname(error.path), cwd);
    const why = code === 'ENOENT' ? 'the directory does not exist' : reason;
    return new CliError(exit, `cannot write ${shown(`${dirname(error.path)}/${temp[1]}`, cwd)}: ${dir}: ${why}`);
  }
  return new CliError(exit, `${shown(error.path, cwd)}: ${reason}`);
}

/** Runs a read of `path`, so that a refusal Node reports without a path (EISDIR from readFile) still names it. */
export async function aboutFile<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isFileSystemError(error) && error.path === undefined) error.path = path;
    throw error;
  }
}
