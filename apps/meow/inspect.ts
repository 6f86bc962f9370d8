/** `meow inspect [FILE|-]`: decode whatever it is and print JSON; exit 2 when nothing recognises it. */
import { toHex } from '../../protocol/codec/bytes.ts';
import { describeError } from '../../protocol/codec/result.ts';
import { badInput, usage } from './errors.ts';
import { HELP } from './help.ts';
import { decodeInput, readSource } from './input.ts';
import { defaultInspectors, type Inspector } from './inspectors.ts';
import type { CliIo } from './io.ts';
import { HELP_OPTION, parse } from './options.ts';

/** JSON with bytes as hex and bigints as strings. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export async function inspect(io: CliIo, args: string[], inspectors: readonly Inspector[] = defaultInspectors(io.suite)): Promise<number> {
  const { values, positionals } = parse(args, { ...HELP_OPTION, as: { type: 'string' } });
  if (values.help) {
    io.stdout.write(HELP.inspect!);
    return 0;
  }
  if (values.as !== undefined) {
    const chosen = inspectors.filter((i) => i.name === values.as);
    if (chosen.length === 0) throw usage(`--as must be one of ${inspectors.map((i) => i.name).join(', ')}`);
    inspectors = chosen;
  }
  if (positionals.length > 1) throw usage('inspect takes at most one FILE (or - for stdin)');
  const source = positionals[0] ?? '-';
  const input = decodeInput(await readSource(io, source));
  if (!input.ok) throw badInput(`${source}: unreadable input: ${describeError(input)}`);
  const refusals: string[] = [];
  for (const inspector of inspectors) {
    const result = inspector.inspect(input.value.bytes);
    if (result.ok) {
      const out = {
        inspector: inspector.name,
        input: input.value.form,
        ...(input.value.label ? { armor: input.value.label } : {}),
        value: result.value,
      };
      io.stdout.write(`${JSON.stringify(out, replacer, 2)}\n`);
      return 0;
    }
    refusals.push(`  ${inspector.name}: ${describeError(result)}`);
  }
  throw badInput(`${source}: not a card, key file, gateway request, envelope or frame (${input.value.bytes.length} bytes, ${input.value.form}):\n${refusals.join('\n')}`);
}
