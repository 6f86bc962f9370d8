/**
 * The identity file written by `meow keygen`: the Ukp (Ed25519 seed and
 * X25519 secret, whitepaper section 2 "User identity"), sealed with a
 * passphrase (sealed-file.ts), file mode 0600, written atomically.
 */
import { readFile } from 'node:fs/promises';
import { fromHex, fromUtf8, toHex, utf8 } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { dualKeyPairFromSecrets, type UserKeyPair } from '../../protocol/keys/keys.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { KeystoreError } from './errors.ts';
import { openKeyFile, type ScryptParams, sealKeyFile } from './sealed-file.ts';

export interface IdentityProtection {
  /** undefined: no passphrase (unattended node), the payload is stored in clear. */
  readonly passphrase: string | undefined;
  readonly scrypt?: ScryptParams;
}

export async function writeIdentityFile(
  suite: CryptoSuite, random: RandomSource, path: string, ukp: UserKeyPair, protection: IdentityProtection,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  const payload = utf8(JSON.stringify({ ed25519Seed: toHex(ukp.signingSecret), x25519Secret: toHex(ukp.agreementSecret) }));
  const text = await sealKeyFile(suite, random, 'identity', payload, protection.passphrase === undefined
    ? { kdf: 'none' }
    : { kdf: 'scrypt', passphrase: protection.passphrase, ...(protection.scrypt ? { params: protection.scrypt } : {}) });
  payload.fill(0);
  await writeFileAtomic(path, text, { mode: 0o600, overwrite: options.overwrite ?? false });
}

function secret(v: unknown, what: string): Uint8Array {
  const bytes = typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? fromHex(v) : undefined;
  if (!bytes) throw new KeystoreError('bad-file', `identity file: ${what} malformed`);
  return bytes;
}

export async function readIdentityFile(suite: CryptoSuite, path: string, passphrase: string | undefined): Promise<UserKeyPair> {
  const text = await readFile(path, 'utf8');
  const payload = await openKeyFile(suite, text, 'identity', passphrase === undefined ? {} : { passphrase });
  let doc: unknown;
  try {
    doc = JSON.parse(fromUtf8(payload) ?? '');
  } catch {
    throw new KeystoreError('bad-file', 'identity file: payload is not JSON');
  } finally {
    payload.fill(0);
  }
  const d = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  return dualKeyPairFromSecrets(suite, 'user', secret(d.ed25519Seed, 'Ed25519 seed'), secret(d.x25519Secret, 'X25519 secret'));
}
