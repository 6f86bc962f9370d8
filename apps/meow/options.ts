/** Argument parsing shared by the commands (apps/flags.ts: strict, a misspelt flag gets the closest one). */
import { type FlagSpec, parseFlags } from '../flags.ts';
import { resolvePassphrase } from '../../node-runtime/keystore/passphrase.ts';
import { usage } from './errors.ts';
import { type CliIo, resolvePath } from './io.ts';

export const PASSPHRASE_OPTIONS = {
  'passphrase-file': { type: 'string' },
  'no-passphrase': { type: 'boolean' },
} as const;

export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** parseArgs with unknown options and bad values turned into usage errors (exit 2) in plain words (apps/flags.ts). */
export function parse<T extends FlagSpec>(args: string[], options: T) {
  return parseFlags(args, options);
}

export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw usage(`${flag} is required`);
  return value;
}

export async function passphraseFrom(
  io: CliIo, values: { 'passphrase-file'?: string | undefined; 'no-passphrase'?: boolean | undefined },
): Promise<string | undefined> {
  const file = values['passphrase-file'];
  return resolvePassphrase({
    ...(file === undefined ? {} : { passphraseFile: resolvePath(io, file) }),
    noPassphrase: values['no-passphrase'] ?? false,
    env: io.env,
  });
}
