/**
 * Where a passphrase comes from, in order: --passphrase-file FILE, then the
 * MEOW_PASSPHRASE environment variable; --no-passphrase says "store in
 * clear" on purpose (unattended nodes). Never from a command-line argument:
 * those are visible to every user in the process list.
 */
import { readFile } from 'node:fs/promises';
import { KeystoreError } from './errors.ts';

export const PASSPHRASE_ENV = 'MEOW_PASSPHRASE';
const MAX_PASSPHRASE_FILE_BYTES = 4096;

export interface PassphraseOptions {
  readonly passphraseFile?: string;
  readonly noPassphrase?: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The passphrase, or undefined when the user chose --no-passphrase. */
export async function resolvePassphrase(options: PassphraseOptions): Promise<string | undefined> {
  if (options.noPassphrase && options.passphraseFile !== undefined) {
    throw new KeystoreError('no-passphrase', '--no-passphrase and --passphrase-file contradict each other');
  }
  if (options.passphraseFile !== undefined) {
    const raw = await readFile(options.passphraseFile);
    if (raw.length > MAX_PASSPHRASE_FILE_BYTES) throw new KeystoreError('no-passphrase', 'passphrase file is larger than 4 KiB');
    // One trailing newline is what `echo secret > file` leaves; it is not part of the passphrase.
    const text = raw.toString('utf8').replace(/\r?\n$/, '');
    raw.fill(0);
    if (text === '') throw new KeystoreError('no-passphrase', 'the passphrase file is empty');
    return text;
  }
  const fromEnv = options.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '' && !options.noPassphrase) return fromEnv;
  if (options.noPassphrase) return undefined;
  throw new KeystoreError('no-passphrase',
    `a passphrase is needed: --passphrase-file FILE or ${PASSPHRASE_ENV}, or --no-passphrase for an unattended node`);
}
