/**
 * Command-line flags for the three programs (meow, meow-node, meow-relay):
 * node:util parseArgs, but its refusals in our words. Node's own text
 * ("Unknown option '--pasphrase-file'. To specify a positional argument
 * starting with a '-', place it at the end of the command after '--'...")
 * never reaches a user: a misspelt flag gets the closest known one.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError } from './errors.ts';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export type FlagErrorCode = 'unknown-flag' | 'missing-value' | 'unexpected-value' | 'unexpected-argument';

/** A flag the program does not know or uses wrongly; every program turns it into exit 2. */
export class FlagError extends AppError<FlagErrorCode> {
  override readonly name = 'FlagError';
}

/** Edit distance (insert, delete, substitute), for "did you mean". */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known flag closest to `name`, when it is close enough to be a typo (or `name` is a prefix of it). */
export function closestFlag(name: string, known: readonly string[]): string | undefined {
  let best: { flag: string; distance: number } | undefined;
  for (const flag of known) {
    const distance = flag.startsWith(name) && name.length >= 2 ? 1 : editDistance(name, flag);
    if (!best || distance < best.distance) best = { flag, distance };
  }
  const tolerated = Math.max(2, Math.floor(name.length / 3));
  return best && best.distance <= tolerated ? best.flag : undefined;
}

function refuseBadTokens(args: readonly string[], options: FlagSpec, allowPositionals: boolean): void {
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  const known = Object.keys(options);
  for (const token of tokens) {
    if (token.kind === 'positional' && !allowPositionals) {
      throw new FlagError('unexpected-argument', `unexpected argument "${token.value}"`, { argument: token.value });
    }
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (!spec) {
      const suggestion = token.rawName.startsWith('--') ? closestFlag(token.name, known) : undefined;
      const hint = suggestion ? `: did you mean --${suggestion}?` : '';
      throw new FlagError('unknown-flag', `unknown flag ${token.rawName}${hint}`, { flag: token.rawName, ...(suggestion ? { suggestion: `--${suggestion}` } : {}) });
    }
    if (spec.type === 'string' && token.value === undefined) {
      throw new FlagError('missing-value', `--${token.name} needs a value`, { flag: `--${token.name}` });
    }
    if (spec.type === 'string' && token.inlineValue === false && token.value?.startsWith('-') && token.value !== '-') {
      // Node refuses "--out --force" as ambiguous: say what it means.
      throw new FlagError('missing-value', `--${token.name} needs a value (got ${token.value}; write --${token.name}=${token.value} if that is the value)`, { flag: `--${token.name}` });
    }
    if (spec.type === 'boolean' && token.value !== undefined) {
      throw new FlagError('unexpected-value', `--${token.name} takes no value`, { flag: `--${token.name}` });
    }
  }
}

/** parseArgs, strict, with every refusal a FlagError in plain words. */
export function parseFlags<T extends FlagSpec>(args: readonly string[], options: T, allowPositionals = true) {
  refuseBadTokens(args, options, allowPositionals);
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (error) {
    // Not reached for the cases above; kept so that a parser refusal we did not foresee still says which program input it was.
    throw new FlagError('unexpected-argument', `cannot read the command line: ${(error as Error).message}`);
  }
}
