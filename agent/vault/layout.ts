/**
 * The vault file (whitepaper 1.2.5, resistance to device requisition): one
 * file of fixed-size slots and no plaintext header. Every slot is
 * XChaCha20-Poly1305 inside XChaCha20-Poly1305, so every byte after the
 * salt is AEAD output (or, for a fake, AEAD output under keys nobody
 * holds). docs/PROTOCOL.md "Vault" has the same diagram.
 *
 *   file  = salt (32 random bytes) || slot[0] || ... || slot[S-1]       32 + S*B bytes
 *
 *   slot i (B bytes on disk)
 *   +-------------------+------------------------------------+----------+
 *   | outer nonce (24)  | outer ciphertext (B - 40)          | tag (16) |   under R
 *   +-------------------+------------------------------------+----------+
 *                       | inner nonce (24) | inner ct (B - 80)| tag (16)|   under K
 *                                          | body, zero padded (B - 80)|
 *
 *   master = PasswordKdf(password, salt)              one run per typed password
 *   K = HKDF-SHA-256(master, salt, "meow-vault-1 inner key", 32)
 *   R = HKDF-SHA-256(master, salt, "meow-vault-1 outer key", 32)
 *   AAD outer = "meow-vault-1 outer" || u8 i || salt; AAD inner = "meow-vault-1 inner" || u8 i || salt
 *
 * Why two layers: R of every other slot is kept in the main compartment, so
 * any session re-encrypts every slot with fresh nonces on every write (the
 * main session cannot read a hidden body, but it can peel and re-seal its
 * outer layer). A snapshot then never shows which slots changed. K, which
 * opens the body, exists only in the compartment's own password.
 */
import { VaultError } from './errors.ts';

export const VAULT_FORMAT_VERSION = 1;
export const SALT_BYTES = 32;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
/** Two nonces and two tags. */
export const SLOT_OVERHEAD_BYTES = 2 * (NONCE_BYTES + TAG_BYTES);
export const DEVICE_ID_BYTES = 16;
export const MAILBOX_KEY_BYTES = 32;

export interface VaultLayout {
  /** Slots in the file: one main compartment, the others hidden (real or fake). */
  readonly slotCount: number;
  /** Bytes of one slot on disk; a compartment holds a little less (see capacityBytes). */
  readonly slotBytes: number;
  /** Mailboxes polled for each locked compartment, real or fake: always this many, so counts tell nothing. */
  readonly mailboxesPerCompartment: number;
}

/** 8 slots of 128 KiB: a 1 MiB file, seven hidden compartments, eight mailboxes each. */
export const DEFAULT_VAULT_LAYOUT: VaultLayout = { slotCount: 8, slotBytes: 128 * 1024, mailboxesPerCompartment: 8 };

const LIMITS = { slotCount: { min: 2, max: 64 }, slotBytes: { min: 4096, max: 16 * 1024 * 1024 }, mailboxes: { min: 1, max: 64 } } as const;

export function fileBytes(layout: VaultLayout): number {
  return SALT_BYTES + layout.slotCount * layout.slotBytes;
}

/** Plaintext bytes inside one slot. */
export function bodyBytes(layout: VaultLayout): number {
  return layout.slotBytes - SLOT_OVERHEAD_BYTES;
}

export function checkLayout(layout: VaultLayout): void {
  const inRange = (v: number, r: { min: number; max: number }): boolean => Number.isInteger(v) && v >= r.min && v <= r.max;
  if (!inRange(layout.slotCount, LIMITS.slotCount) || !inRange(layout.slotBytes, LIMITS.slotBytes)
    || !inRange(layout.mailboxesPerCompartment, LIMITS.mailboxes)) {
    throw new VaultError('bad-argument', 'vault layout out of range', { layout, limits: LIMITS });
  }
}
