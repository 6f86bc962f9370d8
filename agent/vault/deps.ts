/** What the vault is given (STYLE.md rule 7): storage, the password KDF, randomness and the AEAD suite. */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { PasswordKdf } from './password-kdf.ts';
import type { VaultStorage } from './vault-storage.ts';

export interface VaultDeps {
  readonly storage: VaultStorage;
  readonly kdf: PasswordKdf;
  readonly random: RandomSource;
  /** Its XChaCha20-Poly1305, HKDF and X25519 are the only primitives the vault uses. */
  readonly suite: CryptoSuite;
}
