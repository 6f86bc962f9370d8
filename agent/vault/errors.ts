/**
 * The vault's errors: what the CLI and the browser turn into a sentence.
 * Codes are stable; fields carry sizes and limits, never key material or
 * anything that tells which slot holds what.
 */
import { AgentError } from '../errors.ts';

export type VaultErrorCode =
  /** No compartment opened with this password. Deliberately the same for a wrong password, a damaged slot and a file of random bytes. */
  | 'wrong-password'
  /** There is no vault yet (the storage holds nothing). */
  | 'vault-missing'
  /** createVault on a storage that already holds a vault: refused, nothing overwritten. */
  | 'vault-exists'
  /** The file is not the size a vault of this layout has (cut short, or not a vault). */
  | 'vault-damaged'
  /** A document, or the main compartment's table with its pending envelopes, does not fit the slot. */
  | 'vault-full'
  /** A new hidden password already opens a compartment of this vault. */
  | 'password-in-use'
  /** Every slot is taken by a compartment this session knows to be real. */
  | 'no-free-slot'
  /** A call that needs a hidden compartment was made on the main one, or the reverse. */
  | 'wrong-compartment'
  /** A locked compartment handle that this vault does not have. */
  | 'unknown-compartment'
  /** More mailbox keys than a locked compartment polls. */
  | 'too-many-mailboxes'
  /** Misuse: bad argument (a layout out of range, a key of the wrong size). */
  | 'bad-argument'
  /** The storage could not be read or written (permissions, disk full). Nothing was changed. */
  | 'vault-unreadable'
  | 'vault-unwritable';

export class VaultError extends AgentError<VaultErrorCode> {
  override readonly name = 'VaultError';
}

/** The one refusal for every password that opens nothing: same code, same text, same fields. */
export function wrongPassword(): VaultError {
  return new VaultError('wrong-password', 'wrong password (or the part of the vault it opens is damaged)');
}
