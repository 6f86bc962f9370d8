/**
 * Everything the CLI touches outside itself, injectable so that tests run
 * `main(argv, io)` in-process: output streams, stdin, environment, the
 * directory relative paths start from, crypto, randomness and the scrypt
 * cost of new key files.
 */
import { resolve } from 'node:path';
import { read } from 'read';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import type { ScryptParams } from '../../node-runtime/keystore/sealed-file.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { badInput, type CliError } from './errors.ts';

export interface TextSink {
  write(text: string): unknown;
}

export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** All of standard input; more than MAX_INPUT_BYTES is refused (inputTooLarge), never cut short. */
  readStdin(): Promise<Uint8Array>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative paths on the command line are resolved against this directory. */
  readonly cwd: string;
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  /** scrypt cost for new key files; undefined = DEFAULT_SCRYPT (tests lower it). */
  readonly scrypt?: ScryptParams;
  /** Asks the person at the terminal, without echo; absent when standard input is not a terminal. */
  readonly promptSecret?: (question: string) => Promise<string>;
  /** Standard input as a stream, for `meow chat` (absent in tests that give readStdin only). */
  readonly input?: NodeJS.ReadableStream;
  /** True when stdout is a terminal (meow chat redraws lines only then). */
  readonly interactive?: boolean;
}

/** Largest input the CLI reads from a file or stdin (cards are under 2 KiB, frames smaller). */
export const MAX_INPUT_BYTES = 1024 * 1024;

/** The refusal of an input over MAX_INPUT_BYTES: never cut it short and decode the start as if it were whole. */
export function inputTooLarge(source: string): CliError {
  return badInput(`${source} is larger than ${MAX_INPUT_BYTES} bytes (1 MiB): cards, envelopes and frames are far smaller`);
}

async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    length += b.length;
    if (length > MAX_INPUT_BYTES) throw inputTooLarge('standard input');
    chunks.push(b);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Asks without echo; the Enter typed is not echoed either, so the line is ended here (else the next output follows the prompt). */
async function askSecret(question: string): Promise<string> {
  try {
    return await read({ prompt: question, silent: true, replace: '', output: process.stderr });
  } catch {
    throw badInput('no password typed: nothing was changed');
  } finally {
    process.stderr.write('\n');
  }
}

let pipeWatched = false;

/** `meow status | head -3`: the reader left, the rest has nowhere to go; that is no error (Node would print a stack trace). */
function quietOnClosedPipe(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

export function processIo(): CliIo {
  quietOnClosedPipe();
  return {
    ...(process.stdin.isTTY ? { promptSecret: (question: string) => askSecret(question) } : {}),
    input: process.stdin,
    interactive: process.stdout.isTTY === true,
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: () => readAll(process.stdin),
    env: process.env,
    cwd: process.cwd(),
    suite: createNodeSuite(),
    random: systemRandom,
  };
}

export function resolvePath(io: CliIo, path: string): string {
  return resolve(io.cwd, path);
}
