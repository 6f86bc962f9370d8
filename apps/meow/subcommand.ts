/**
 * `meow TOPIC SUB ARGS... [flags]` for the commands with subcommands (group,
 * broadcast, directory, intro): the node flags may come anywhere (`meow -d
 * bob group list` arrives here as `list -d bob`), `--help` and a missing or
 * misspelt SUB are answered before any node is asked, so a typo never
 * becomes "no meow-node has run".
 */
import { closestFlag, type FlagSpec } from '../flags.ts';
import { usage } from './errors.ts';
import { HELP } from './help.ts';
import type { CliIo } from './io.ts';
import { NODE_OPTIONS, NodeClient } from './node-client.ts';
import { HELP_OPTION, parse } from './options.ts';

export interface Subcommand {
  readonly sub: string;
  readonly args: string[];
  readonly values: Record<string, unknown>;
}

export interface SubcommandSpec {
  /** The help topic and the word after `meow` (help.ts has its text). */
  readonly topic: string;
  readonly subs: readonly string[];
  /** The SUB when none is typed (`meow intro` lists). */
  readonly fallback?: string;
  readonly options?: FlagSpec;
}

/** The parsed subcommand, or undefined when its help was printed (exit 0). */
export function parseSubcommand(io: CliIo, argv: string[], spec: SubcommandSpec): Subcommand | undefined {
  const parsed = parse(argv, { ...HELP_OPTION, ...NODE_OPTIONS, json: { type: 'boolean' }, ...spec.options });
  const values = parsed.values as Record<string, unknown>;
  if (values.help) {
    io.stdout.write(HELP[spec.topic]!);
    return undefined;
  }
  const [typed, ...args] = parsed.positionals;
  const sub = typed ?? spec.fallback;
  const choices = spec.subs.join('|');
  if (sub === undefined) throw usage(`meow ${spec.topic} needs one of ${choices} (meow help ${spec.topic})`);
  if (!spec.subs.includes(sub)) {
    const near = closestFlag(sub, spec.subs);
    throw usage(`unknown ${spec.topic} command "${sub}"${near ? `: did you mean ${near}?` : ''} (one of ${choices}; meow help ${spec.topic})`);
  }
  return { sub, args, values };
}

export function openNode(io: CliIo, values: Record<string, unknown>): Promise<NodeClient> {
  return NodeClient.open(io, values as { 'data-dir'?: string; node?: string });
}

/** An id the user typed, checked before it goes into a request path (never "../" or "?" there). */
export function hexId(id: string, digits: number, what: string, listCommand: string): string {
  if (!new RegExp(`^[0-9a-f]{${digits}}$`, 'i').test(id)) throw usage(`"${id}" is not ${what} id: ${digits} hex digits, as \`${listCommand}\` shows them`);
  return id.toLowerCase();
}
