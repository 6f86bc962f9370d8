/**
 * Crash-safe file replacement: write a temporary file in the same
 * directory, fsync it, then rename (or link, when the target must not be
 * overwritten) it into place and fsync the directory. After power loss the
 * path holds either the old or the new content, never a torn file.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KeystoreError } from './errors.ts';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o600: only the owner reads key material). */
  readonly mode?: number;
  /** Replace an existing file (default false: fail with KeystoreError 'exists'). */
  readonly overwrite?: boolean;
}

async function fsyncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Some platforms and file systems cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

export async function writeFileAtomic(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.chmod(mode); // the umask may have narrowed it; never widen beyond what was asked
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  await handle.close();
  try {
    if (options.overwrite) {
      await rename(temp, path);
    } else {
      // link() fails with EEXIST atomically, unlike an existence check followed by rename().
      await link(temp, path);
      await unlink(temp);
    }
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new KeystoreError('exists', `${path} exists: refusing to overwrite it`);
    throw e;
  }
  await fsyncDirectory(dir);
}
