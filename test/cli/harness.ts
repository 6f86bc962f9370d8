/** Runs the CLI in-process with captured output, a temporary directory and fast scrypt. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import type { CliIo } from '../../apps/meow/io.ts';
import { main } from '../../apps/meow/meow.ts';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Harness {
  readonly dir: string;
  run(argv: string[], options?: { stdin?: Uint8Array | string; env?: Record<string, string> }): Promise<RunResult>;
}

export async function makeHarness(seed: string): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'meow-cli-'));
  const suite = createNodeSuite();
  const random = new SeededRandom(seed);
  return {
    dir,
    async run(argv, options = {}) {
      let stdout = '';
      let stderr = '';
      const stdin = typeof options.stdin === 'string' ? new TextEncoder().encode(options.stdin) : options.stdin;
      const io: Partial<CliIo> = {
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => (stderr += t) },
        readStdin: async () => stdin ?? new Uint8Array(0),
        env: options.env ?? { MEOW_PASSPHRASE: 'test passphrase' },
        cwd: dir,
        suite,
        random,
        scrypt: { logN: 10, r: 8, p: 1 },
      };
      const code = await main(argv, io);
      return { code, stdout, stderr };
    },
  };
}
