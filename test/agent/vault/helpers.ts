/** Shared fixtures of the vault tests: memory storage, counting deps, a small layout and a cheap KDF. */
import { VaultError } from '../../../agent/vault/errors.ts';
import type { VaultLayout } from '../../../agent/vault/layout.ts';
import type { PasswordKdf } from '../../../agent/vault/password-kdf.ts';
import type { VaultStorage } from '../../../agent/vault/vault-storage.ts';
import type { VaultDeps } from '../../../agent/vault/vault.ts';
import { createNodeSuite } from '../../../node-runtime/crypto/node-suite.ts';
import { createNodeScryptKdf } from '../../../node-runtime/platform/scrypt-kdf.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';

/** 4 slots of 4 KiB, 3 mailboxes each: small enough that fuzzing every truncation is quick. */
export const SMALL_LAYOUT: VaultLayout = { slotCount: 4, slotBytes: 4096, mailboxesPerCompartment: 3 };
/** Unit tests use N = 2^10 through the injected KDF; kdf.test.ts runs the real 2^17 once. */
export const CHEAP_KDF = createNodeScryptKdf({ logN: 10, r: 8, p: 1 });

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** In-memory storage with the seam's contract: a failing write leaves the old bytes. */
export class MemoryVaultStorage implements VaultStorage {
  bytes: Uint8Array | undefined;
  writes = 0;
  failNextWrite = false;

  read(): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.bytes?.slice());
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.failNextWrite) {
      this.failNextWrite = false;
      return Promise.reject(new VaultError('vault-unwritable', 'simulated full disk', { reason: 'ENOSPC' }));
    }
    this.bytes = bytes.slice();
    this.writes++;
    return Promise.resolve();
  }
}

export interface Counts {
  kdf: number;
  aeadOpens: number;
  aeadOpenBytes: number;
}

/** Deps whose KDF and AEAD calls are counted: the proof of "the same work whatever the password". */
export function countingDeps(storage: VaultStorage, seed: string, kdf: PasswordKdf = CHEAP_KDF): { deps: VaultDeps; counts: Counts } {
  const counts: Counts = { kdf: 0, aeadOpens: 0, aeadOpenBytes: 0 };
  const base = createNodeSuite();
  // Every other primitive is the real one, reached through the prototype.
  const suite = Object.assign(Object.create(base) as CryptoSuite, {
    xaeadOpen: (k: Uint8Array, n: Uint8Array, s: Uint8Array, a: Uint8Array) => {
      counts.aeadOpens++;
      counts.aeadOpenBytes += s.length;
      return base.xaeadOpen(k, n, s, a);
    },
  });
  const countingKdf: PasswordKdf = {
    derive: (password, salt) => {
      counts.kdf++;
      return kdf.derive(password, salt);
    },
  };
  return { deps: { storage, kdf: countingKdf, random: new SeededRandom(seed), suite }, counts };
}

export function resetCounts(c: Counts): void {
  c.kdf = 0;
  c.aeadOpens = 0;
  c.aeadOpenBytes = 0;
}
