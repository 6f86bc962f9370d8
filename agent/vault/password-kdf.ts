/**
 * Seam: the password key derivation the vault runs once per typed password.
 *
 * Contract:
 *   - derive(password, salt) resolves to exactly 32 bytes, the same bytes for
 *     the same inputs on every implementation (scrypt, RFC 7914, with the
 *     parameters below; test/agent/vault proves the Node and portable ones
 *     agree and match the RFC vectors);
 *   - it never logs or keeps the password; the caller wipes the result;
 *   - it rejects only when the platform cannot give the memory or refuses
 *     the cost, never for a wrong password (it cannot know).
 * Implementations: node-runtime/platform/scrypt-kdf.ts (node:crypto) and
 * agent/vault/noble-scrypt-kdf.ts (browser, @noble/hashes).
 */
export interface PasswordKdf {
  derive(password: Uint8Array, salt: Uint8Array): Promise<Uint8Array>;
}

export interface ScryptCost {
  /** log2 of N, the CPU and memory cost. */
  readonly logN: number;
  /** Block size. */
  readonly r: number;
  /** Parallelism. */
  readonly p: number;
}

/** DESIGN.md section 5, issue 8: N = 2^17, r = 8, p = 1 (128 MiB, about a second). */
export const VAULT_SCRYPT_COST: ScryptCost = { logN: 17, r: 8, p: 1 };
export const VAULT_KEY_BYTES = 32;
