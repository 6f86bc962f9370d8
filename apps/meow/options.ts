/** Argument parsing shared by the commands (node:util parseArgs, strict). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolvePassphrase } from '../../node-runtime/keystore/passphrase.ts';
import { usage } from './errors.ts';
import { type CliIo, resolvePath } from './io.ts';

export const PASSPHRASE_OPTIONS = {
  'passphrase-file': { type: 'string' },
  'no-passphrase': { type: 'boolean' },
} as const;

export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** parseArgs with unknown options and bad values turned into usage errors (exit 2). */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw usage((e as Error).message);
  }
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
