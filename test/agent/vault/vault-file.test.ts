/**
 * The Node vault file (node-runtime/platform/vault-file.ts) on real files in
 * a temporary folder: the storage contract, mode 0600, clear errors instead
 * of raw ENOENT/EISDIR, and a whole vault created and opened through it.
 */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../../agent/vault/errors.ts';
import { createVault, openVault } from '../../../agent/vault/vault.ts';
import { writeFileAtomic } from '../../../node-runtime/keystore/atomic-write.ts';
import { createVaultFile, type AtomicFileWriter } from '../../../node-runtime/platform/vault-file.ts';
import { countingDeps, MemoryVaultStorage, SMALL_LAYOUT, text } from './helpers.ts';
import { vaultStorageContract } from './vault-storage.contract.ts';

const root = await mkdtemp(join(tmpdir(), 'meow-vault-'));
afterAll(() => rm(root, { recursive: true, force: true }));
let counter = 0;
const freshPath = (): string => join(root, `case-${counter++}`, 'vault.meow');
const atomic: AtomicFileWriter = (path, data, options) => writeFileAtomic(path, data, options);

async function fileStorage(): Promise<{ path: string; storage: ReturnType<typeof createVaultFile> }> {
  const path = freshPath();
  await mkdir(join(path, '..'));
  return { path, storage: createVaultFile(path, atomic) };
}

vaultStorageContract('memory (test fake)', {
  make: () => Promise.resolve(new MemoryVaultStorage()),
  makeFailingWrite: (initial) => {
    const s = new MemoryVaultStorage();
    s.bytes = initial.slice();
    s.failNextWrite = true;
    return Promise.resolve(s);
  },
});

vaultStorageContract('file (node-runtime/platform/vault-file.ts)', {
  make: async () => (await fileStorage()).storage,
  makeFailingWrite: async (initial) => {
    const { path, storage } = await fileStorage();
    await storage.write(initial);
    // The disk is full: the writer fails as node:fs does (the atomic writer's own tests cover its cleanup).
    const failing: AtomicFileWriter = () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    return createVaultFile(path, failing);
  },
});

describe('vault file', () => {
  it('is written with mode 0600 and leaves no temporary file behind', async () => {
    const { path, storage } = await fileStorage();
    await storage.write(new Uint8Array([1]));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(path, '..'))).toEqual(['vault.meow']);
  });

  it('turns system errors into sentences with the errno in fields, never a raw ENOENT', async () => {
    const missingFolder = createVaultFile(join(root, 'no-such-folder', 'vault.meow'), atomic);
    expect(await missingFolder.read()).toBeUndefined();
    const e1 = await missingFolder.write(new Uint8Array([1])).then(() => undefined, (e: unknown) => e as VaultError);
    expect(e1).toBeInstanceOf(VaultError);
    expect(e1?.code).toBe('vault-unwritable');
    expect(e1?.fields.reason).toBe('ENOENT');
    expect(e1?.message).toContain('its folder does not exist');
    expect(e1?.message).not.toMatch(/ENOENT/);

    const folder = join(root, 'a-folder');
    await mkdir(folder);
    const e2 = await createVaultFile(folder, atomic).read().then(() => undefined, (e: unknown) => e as VaultError);
    expect([e2?.code, e2?.fields.reason]).toEqual(['vault-unreadable', 'EISDIR']);
    expect(e2?.message).toContain('it is a folder, not a file');
  });

  it('a whole vault lives in the file: created, cut short (typed error, file untouched), restored, opened', async () => {
    const { path, storage } = await fileStorage();
    const { deps } = countingDeps(storage, 'file-vault');
    const session = await createVault(deps, text('pw'), { layout: SMALL_LAYOUT });
    await session.compartment.save(text('on disk'));
    const good = await storage.read();
    await writeFile(path, (good as Uint8Array).subarray(0, 1000));
    await expect(openVault(deps, text('pw'), { layout: SMALL_LAYOUT })).rejects.toMatchObject({ code: 'vault-damaged' });
    expect((await stat(path)).size).toBe(1000);
    await writeFile(path, good as Uint8Array);
    expect((await openVault(deps, text('pw'), { layout: SMALL_LAYOUT })).compartment.load()).toEqual(text('on disk'));
  });
});
