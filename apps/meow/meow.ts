/**
 * The `meow` command (bin/meow.js calls main). Testable in-process:
 * main(argv, io) with any part of the I/O replaced (io.ts).
 * Exit codes: 0 ok, 1 runtime failure, 2 bad input or usage.
 */
import { KeystoreError } from '../../node-runtime/keystore/errors.ts';
import { closestFlag, FlagError } from '../flags.ts';
import { cardCommand } from './card.ts';
import { doctor } from './doctor.ts';
import { CliError, EXIT_BAD_INPUT, EXIT_RUNTIME, usage } from './errors.ts';
import { fileErrorToCli, isFileSystemError } from './file-errors.ts';
import { HELP } from './help.ts';
import { inspect } from './inspect.ts';
import { type CliIo, processIo } from './io.ts';
import { keygen } from './keygen.ts';
import { status } from './status.ts';
import { sensors } from './sensors.ts';
import { chat } from './chat.ts';
import { createHidden, init, lock, unlock } from './identity.ts';
import { contacts, inbox, send } from './messages.ts';
import { policy } from './policy.ts';
import { broadcastCommand } from './broadcast.ts';
import { directoryCommand } from './directory.ts';
import { groupCommand } from './group.ts';
import { introCommand, introduceCommand } from './introduce.ts';

/** The commands, for "did you mean" (the switch below is the authority). */
const COMMANDS = ['init', 'unlock', 'lock', 'hidden', 'card', 'contacts', 'send', 'inbox', 'chat', 'policy', 'keygen', 'inspect',
  'status', 'sensors', 'doctor', 'group', 'broadcast', 'directory', 'introduce', 'intro', 'help'];

/** Flags that name the node, accepted before the command too (`meow --data-dir bob init`). */
const LEADING_NODE_FLAGS = new Set(['--data-dir', '-d', '--node']);

/** Moves leading --data-dir/--node flags after the command, where each command parses them. */
export function hoistNodeFlags(argv: readonly string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (LEADING_NODE_FLAGS.has(arg) && i + 1 < argv.length) {
      leading.push(arg, argv[i + 1]!);
      i += 2;
    } else if (arg.startsWith('--data-dir=') || arg.startsWith('--node=')) {
      leading.push(arg);
      i += 1;
    } else {
      break;
    }
  }
  const [command, ...rest] = argv.slice(i);
  return command === undefined ? [...leading] : [command, ...rest, ...leading];
}

async function dispatch(io: CliIo, argv: string[]): Promise<number> {
  const [command, ...rest] = hoistNodeFlags(argv);
  switch (command) {
    case 'init': return init(io, rest);
    case 'unlock': return unlock(io, rest);
    case 'lock': return lock(io, rest);
    case 'hidden': return createHidden(io, rest);
    case 'contacts': return contacts(io, rest);
    case 'send': return send(io, rest);
    case 'inbox': return inbox(io, rest);
    case 'chat': return chat(io, rest);
    case 'policy': return policy(io, rest);
    case 'keygen': return keygen(io, rest);
    case 'card': return cardCommand(io, rest);
    case 'inspect': return inspect(io, rest);
    case 'doctor': return doctor(io, rest);
    case 'sensors': return sensors(io, rest);
    case 'group': return groupCommand(io, rest);
    case 'broadcast': return broadcastCommand(io, rest);
    case 'directory': return directoryCommand(io, rest);
    case 'introduce': return introduceCommand(io, rest);
    case 'intro': return introCommand(io, rest);
    case 'status':
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout.write(HELP.status!);
        return 0;
      }
      return status(io, rest);
    case 'help': {
      const topic = hoistNodeFlags(rest).filter((a, i, all) => !LEADING_NODE_FLAGS.has(a) && !LEADING_NODE_FLAGS.has(all[i - 1] ?? '') && !a.startsWith('--data-dir=') && !a.startsWith('--node=')).join(' ');
      const text = HELP[topic === '' ? 'main' : topic];
      if (!text) throw usage(`no help for "${topic}"`);
      io.stdout.write(text);
      return 0;
    }
    case '-h':
    case '--help':
      io.stdout.write(HELP.main!);
      return 0;
    case undefined:
      io.stderr.write(HELP.main!);
      return EXIT_BAD_INPUT;
    default: {
      if (LEADING_NODE_FLAGS.has(command)) {
        throw usage(rest.length === 0
          ? `${command} needs a value: ${command === '--node' ? 'the node\'s URL' : 'the node\'s data directory'}, then the command (meow -d DIR contacts)`
          : `${command} ${rest[0]} names the node: give the command after it (meow ${command} ${rest[0]} contacts; meow --help lists them)`);
      }
      const suggestion = closestFlag(command, COMMANDS);
      throw usage(`unknown command "${command}"${suggestion ? `: did you mean ${suggestion}?` : ''} (meow --help)`);
    }
  }
}

/** Any failure as the CliError a user sees: our words, never a raw Node error or a stack trace. */
function asCliError(e: unknown, io: CliIo, command: string | undefined): CliError | undefined {
  if (e instanceof CliError) return e;
  if (e instanceof FlagError) return usage(`${e.message} (meow help ${command})`);
  if (isFileSystemError(e)) return fileErrorToCli(e, io.cwd);
  return undefined;
}

export async function main(argv: string[], overrides: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = { ...processIo(), ...overrides };
  try {
    return await dispatch(io, argv);
  } catch (caught) {
    const e = asCliError(caught, io, hoistNodeFlags(argv)[0]) ?? caught;
    if (e instanceof CliError) {
      io.stderr.write(`meow: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof KeystoreError) {
      // Every keystore refusal is about the user's input: wrong passphrase, wrong file, existing file.
      io.stderr.write(`meow: ${e.message}\n`);
      return EXIT_BAD_INPUT;
    }
    // A failure nobody foresaw: its message only (no stack trace), exit 1.
    io.stderr.write(`meow: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_RUNTIME;
  }
}
