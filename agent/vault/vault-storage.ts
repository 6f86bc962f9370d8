/**
 * Seam: where the vault's one file lives (a file on a board, IndexedDB in a
 * browser, memory in tests).
 *
 * Contract:
 *   - read() resolves to the whole stored content, or undefined when nothing
 *     was ever written; it never returns a partial write;
 *   - write(bytes) is atomic: after it resolves, or after a crash at any
 *     point, read() gives either the old bytes or the new ones, never a mix
 *     and never nothing when something was there before;
 *   - failures reject with VaultError 'vault-unreadable' / 'vault-unwritable'
 *     (a clear sentence, the platform's reason in fields.reason), never a raw
 *     platform error; a failed write leaves the old content in place;
 *   - the stored content is readable by the device's user only (file mode
 *     0600 on a board).
 * Compliance suite: test/agent/vault/vault-storage.contract.ts.
 */
export interface VaultStorage {
  read(): Promise<Uint8Array | undefined>;
  write(bytes: Uint8Array): Promise<void>;
}
