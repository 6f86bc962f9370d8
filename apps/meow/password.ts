/**
 * The vault password for `meow init` and `meow unlock`: from
 * --passphrase-file FILE, else MEOW_PASSPHRASE, else the one saved by
 * `meow unlock --remember`, else asked on the terminal without echo. Never
 * from a command-line argument: every user of the machine can read those.
 */
import { unlink } from 'node:fs/promises';
import { resolvePassphrase } from '../../node-runtime/keystore/passphrase.ts';
import { writeFileAtomic } from '../../node-runtime/keystore/atomic-write.ts';
import { readRememberedPassword, rememberedPasswordPath } from '../remembered-password.ts';
import { CliError } from './errors.ts';
import { aboutFile } from './file-errors.ts';
import { type CliIo, resolvePath } from './io.ts';

export { REMEMBERED_PASSWORD_FILE } from '../remembered-password.ts';

export const PASSWORD_OPTIONS = {
  'passphrase-file': { type: 'string' },
} as const;

export const REMEMBER_WARNING = 'meow: warning: the password is now saved in clear in REMEMBERED: anyone who can read '
  + 'this directory (or a copy, a backup, a seized disk) can open your vault and your hidden contacts behind this password. '
  + 'The node uses it to unlock your vault by itself at every start. `meow lock --forget` deletes it.\n';

export async function passwordFrom(
  io: CliIo, values: { 'passphrase-file'?: string | undefined }, options: { dataDir: string; confirm: boolean; useRemembered: boolean },
): Promise<string> {
  if (values['passphrase-file'] !== undefined || (io.env.MEOW_PASSPHRASE ?? '') !== '') {
    const file = values['passphrase-file'];
    const path = file === undefined ? undefined : resolvePath(io, file);
    const password = await aboutFile(path ?? '', () => resolvePassphrase({ ...(path ? { passphraseFile: path } : {}), env: io.env }));
    return password!;
  }
  if (options.useRemembered) {
    const saved = await readRememberedPassword(options.dataDir);
    if (saved !== undefined) return saved;
  }
  if (!io.promptSecret) {
    throw new CliError('bad-input', 'a password is needed: type it at a terminal, or give --passphrase-file FILE or MEOW_PASSPHRASE');
  }
  const password = await io.promptSecret('password: ');
  if (password === '') throw new CliError('bad-input', 'an empty password protects nothing');
  if (options.confirm && (await io.promptSecret('the same password again: ')) !== password) {
    throw new CliError('bad-input', 'the two passwords differ: nothing was changed');
  }
  return password;
}

export async function rememberPassword(io: CliIo, dataDir: string, password: string): Promise<void> {
  const path = rememberedPasswordPath(dataDir);
  await writeFileAtomic(path, `${password}\n`, { mode: 0o600, overwrite: true });
  io.stderr.write(REMEMBER_WARNING.replace('REMEMBERED', path));
}

export async function forgetPassword(dataDir: string): Promise<boolean> {
  try {
    await unlink(rememberedPasswordPath(dataDir));
    return true;
  } catch {
    return false;
  }
}
