/**
 * The vault's PasswordKdf on Node: node:crypto's scrypt runs in libuv's
 * thread pool, so the second of work at N = 2^17 does not block the event
 * loop (the daemon keeps routing while a user unlocks). Same bytes as the
 * portable agent/vault/noble-scrypt-kdf.ts (differential test).
 */
import { scrypt } from 'node:crypto';
import { VaultError } from '../../agent/vault/errors.ts';
import { VAULT_KEY_BYTES, VAULT_SCRYPT_COST, type PasswordKdf, type ScryptCost } from '../../agent/vault/password-kdf.ts';

/** N = 2^17, r = 8 needs 128 * r * N = 128 MiB; Node's default maxmem (32 MiB) would refuse it. */
export const SCRYPT_MAXMEM_BYTES = 256 * 1024 * 1024;

export function createNodeScryptKdf(cost: ScryptCost = VAULT_SCRYPT_COST): PasswordKdf {
  const options = { N: 2 ** cost.logN, r: cost.r, p: cost.p, maxmem: SCRYPT_MAXMEM_BYTES };
  return {
    derive(password, salt) {
      const refused = (error: Error): VaultError =>
        // Only the memory limit or bad parameters get here, never the password itself.
        new VaultError('bad-argument', `scrypt refused to run: ${error.message}`, { cost });
      return new Promise((resolve, reject) => {
        try {
          // Node checks the parameters synchronously (a throw) and runs the work in the thread pool (the callback).
          scrypt(password, salt, VAULT_KEY_BYTES, options, (error, key) => {
            if (error) {
              reject(refused(error));
              return;
            }
            const out = new Uint8Array(key);
            key.fill(0);
            resolve(out);
          });
        } catch (error) {
          reject(refused(error as Error));
        }
      });
    },
  };
}
