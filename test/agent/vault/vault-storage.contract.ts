/** The VaultStorage compliance suite (agent/vault/vault-storage.ts): run against every implementation. */
import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../agent/vault/errors.ts';
import type { VaultStorage } from '../../../agent/vault/vault-storage.ts';

export interface StorageHarness {
  /** A fresh, empty storage. */
  make(): Promise<VaultStorage>;
  /** A storage whose next write fails (disk full, read-only...), holding `initial`. */
  makeFailingWrite(initial: Uint8Array): Promise<VaultStorage>;
}

export function vaultStorageContract(name: string, harness: StorageHarness): void {
  describe(`VaultStorage contract: ${name}`, () => {
    it('reads undefined before any write', async () => {
      expect(await (await harness.make()).read()).toBeUndefined();
    });

    it('reads back exactly what was written, the last write winning', async () => {
      const storage = await harness.make();
      await storage.write(new Uint8Array([1, 2, 3]));
      const big = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff);
      await storage.write(big);
      const back = await storage.read();
      // Byte equality without vitest's element-by-element diff, which is slow on 70 kB.
      expect(back !== undefined && back.length === big.length && back.every((b, i) => b === big[i])).toBe(true);
    });

    it('keeps no reference to the caller\'s buffer', async () => {
      const storage = await harness.make();
      const bytes = new Uint8Array([9, 9]);
      await storage.write(bytes);
      bytes[0] = 0;
      expect(await storage.read()).toEqual(new Uint8Array([9, 9]));
    });

    it('a failed write rejects with vault-unwritable and leaves the old content', async () => {
      const storage = await harness.makeFailingWrite(new Uint8Array([4, 5, 6]));
      const e = await storage.write(new Uint8Array([7])).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(VaultError);
      expect((e as VaultError).code).toBe('vault-unwritable');
      expect(await storage.read()).toEqual(new Uint8Array([4, 5, 6]));
    });
  });
}
