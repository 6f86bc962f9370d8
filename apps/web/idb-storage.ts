/**
 * VaultStorage (agent/vault/vault-storage.ts) over IndexedDB: one record
 * holds the whole vault file, so a put is atomic (a transaction commits all
 * or nothing), which is the seam's contract. IndexedDB rather than
 * localStorage: the vault is 1 MiB of binary, over localStorage's string
 * quota once base64'd on some phones.
 */
import type { VaultStorage } from '../../agent/vault/vault-storage.ts';
import { VaultError } from '../../agent/vault/errors.ts';

const STORE = 'vault';
const KEY = 'file';

function open(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('indexedDB.open failed'));
  });
}

function run<T>(db: IDBDatabase, mode: IDBTransactionMode, act: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = act(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req.result as T);
    tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

export function indexedDbVaultStorage(name = 'meow-vault'): VaultStorage & { exists(): Promise<boolean> } {
  const db = open(name);
  return {
    async read() {
      try {
        const v = await run<Uint8Array | undefined>(await db, 'readonly', (s) => s.get(KEY));
        return v ? new Uint8Array(v) : undefined;
      } catch (e) {
        throw new VaultError('vault-unreadable', 'the browser storage cannot be read', { reason: (e as Error).message });
      }
    },
    async write(bytes) {
      try {
        await run(await db, 'readwrite', (s) => s.put(bytes.slice(), KEY));
      } catch (e) {
        throw new VaultError('vault-unwritable', 'the browser storage refused the write (full?)', { reason: (e as Error).message });
      }
    },
    async exists() {
      return (await run<number>(await db, 'readonly', (s) => s.count(KEY))) > 0;
    },
  };
}
