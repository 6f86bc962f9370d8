/**
 * The vault's VaultStorage on a board: one file, mode 0600, replaced
 * atomically on every write (temporary file, fsync, rename, fsync of the
 * directory). The atomic writer is passed in: it lives in
 * node-runtime/keystore/atomic-write.ts, which platform/ may not import
 * (platform is the bottom of node-runtime); the composition root passes
 * `writeFileAtomic`.
 *
 * Every failure becomes a VaultError with a sentence a user can act on and
 * the errno in fields.reason: never a raw ENOENT.
 */
import { readFile, stat } from 'node:fs/promises';
import { VaultError } from '../../agent/vault/errors.ts';
import type { VaultStorage } from '../../agent/vault/vault-storage.ts';

export type AtomicFileWriter = (path: string, data: Uint8Array, options: { mode: number; overwrite: boolean }) => Promise<void>;

export const VAULT_FILE_MODE = 0o600;
/** The largest layout agent/vault/layout.ts allows (64 slots of 16 MiB) plus its salt: anything bigger is not a vault. */
export const MAX_VAULT_FILE_BYTES = 32 + 64 * 16 * 1024 * 1024;

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of its path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder, not a file',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EIO: 'the disk reported an input/output error',
};

function errnoOf(e: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

function explain(errno: string): string {
  return REASONS[errno] ?? `the system said ${errno}`;
}

export function createVaultFile(path: string, writeAtomic: AtomicFileWriter): VaultStorage {
  return {
    async read() {
      let size: number;
      try {
        const info = await stat(path);
        if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: info.isDirectory() ? 'EISDIR' : 'EINVAL' });
        size = info.size;
      } catch (e) {
        const errno = errnoOf(e);
        if (errno === 'ENOENT') return undefined; // no vault yet: the caller says so in its own words
        throw new VaultError('vault-unreadable', `cannot read the vault ${path}: ${explain(errno)}`, { path, reason: errno });
      }
      if (size > MAX_VAULT_FILE_BYTES) {
        throw new VaultError('vault-damaged', `${path} is ${size} bytes, larger than any vault: it is not one`, { path, actualBytes: size });
      }
      try {
        return new Uint8Array(await readFile(path));
      } catch (e) {
        const errno = errnoOf(e);
        throw new VaultError('vault-unreadable', `cannot read the vault ${path}: ${explain(errno)}`, { path, reason: errno });
      }
    },
    async write(bytes) {
      try {
        await writeAtomic(path, bytes, { mode: VAULT_FILE_MODE, overwrite: true });
      } catch (e) {
        const errno = errnoOf(e);
        throw new VaultError('vault-unwritable', `cannot save the vault ${path}: ${explain(errno)}; the previous version is intact`,
          { path, reason: errno });
      }
    },
  };
}
