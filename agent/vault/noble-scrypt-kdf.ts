/**
 * The portable PasswordKdf for the browser: @noble/hashes scryptAsync, which
 * yields to the event loop so a page stays responsive during the second of
 * work. Same bytes as node-runtime/platform/scrypt-kdf.ts (differential test
 * in test/agent/vault/kdf.test.ts).
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { VAULT_KEY_BYTES, VAULT_SCRYPT_COST, type PasswordKdf, type ScryptCost } from './password-kdf.ts';

export function createNobleScryptKdf(cost: ScryptCost = VAULT_SCRYPT_COST): PasswordKdf {
  return {
    async derive(password, salt) {
      return scryptAsync(password, salt, { N: 2 ** cost.logN, r: cost.r, p: cost.p, dkLen: VAULT_KEY_BYTES });
    },
  };
}
