/** `meow keygen --out FILE`: a new identity (Ukp), sealed with a passphrase. */
import { generateUserKeyPair } from '../../protocol/keys/keys.ts';
import { writeIdentityFile } from '../../node-runtime/keystore/identity-file.ts';
import { DEFAULT_SCRYPT } from '../../node-runtime/keystore/sealed-file.ts';
import { HELP } from './help.ts';
import { type CliIo, resolvePath } from './io.ts';
import { HELP_OPTION, parse, PASSPHRASE_OPTIONS, passphraseFrom, required } from './options.ts';
import { usage } from './errors.ts';

export async function keygen(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    ...HELP_OPTION, ...PASSPHRASE_OPTIONS, out: { type: 'string', short: 'o' }, force: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(HELP.keygen!);
    return 0;
  }
  if (positionals.length > 0) throw usage(`unexpected argument ${positionals[0]}`);
  const out = required(values.out, '--out FILE');
  const passphrase = await passphraseFrom(io, values);
  if (passphrase === undefined) {
    io.stderr.write('meow: warning: the identity is stored WITHOUT a passphrase: anyone who can read the file has your keys\n');
  }
  const ukp = generateUserKeyPair(io.suite, io.random);
  const scrypt = io.scrypt ?? DEFAULT_SCRYPT;
  await writeIdentityFile(io.suite, io.random, resolvePath(io, out), ukp, { passphrase, scrypt }, { overwrite: values.force ?? false });
  io.stdout.write(passphrase === undefined
    ? `identity written to ${out} (no passphrase)\n`
    : `identity written to ${out} (scrypt N=2^${scrypt.logN} r=${scrypt.r} p=${scrypt.p}, XChaCha20-Poly1305)\n`);
  return 0;
}
