/**
 * The README's walkthroughs, run as written: every command of each block
 * marked `<!-- walkthrough: NAME -->` runs in a real shell, in the
 * checkout, with HOME a fresh temporary directory (the only substitution).
 * `npx meow-node` and `npx meow-relay` lines are the terminals left running:
 * they start in the background and the next command waits for their ready
 * line. Every other command must exit 0, and each block ends with a message
 * one user sent, read by the other.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const checkout = join(import.meta.dirname, '../..');
const readme = readFileSync(join(checkout, 'README.md'), 'utf8');

/** The shell commands of one marked block, comments and blank lines left out. */
export function walkthrough(markdown: string, name: string): string[] {
  const start = markdown.indexOf(`<!-- walkthrough: ${name} -->`);
  if (start < 0) throw new Error(`README.md has no walkthrough "${name}"`);
  const end = markdown.indexOf('<!-- /walkthrough -->', start);
  const fenced = /```sh\n([\s\S]*?)```/.exec(markdown.slice(start, end));
  if (!fenced) throw new Error(`walkthrough "${name}" has no sh block`);
  return fenced[1]!.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

const LONG_RUNNING = /^npx (meow-node|meow-relay)\b/;
const READY: Record<string, string> = { 'meow-node': 'meow-node: ready', 'meow-relay': 'meow-relay: listening' };

interface Ran {
  readonly code: number | null;
  readonly out: string;
}

const background: ChildProcess[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const child of background.splice(0)) {
    if (child.exitCode !== null || child.pid === undefined) continue;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid, 'SIGTERM'); // the shell's whole group: npx, its shell, the program
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  }
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function shell(command: string, home: string): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  for (const key of Object.keys(env)) if (key.startsWith('MEOW_') || key.startsWith('npm_')) delete env[key];
  return spawn('bash', ['-c', command], { cwd: checkout, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

function run(command: string, home: string): Promise<Ran> {
  const child = shell(command, home);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

function startInBackground(command: string, home: string): Promise<void> {
  const program = LONG_RUNNING.exec(command)![1]!;
  const child = shell(command, home);
  background.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const seen = (d: Buffer): void => {
      out += d.toString();
      if (out.includes(READY[program]!)) resolve();
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`"${command}" exited ${code}:\n${out}`)));
  });
}

/** Runs one walkthrough; returns the output of its last command. */
async function follow(name: string): Promise<{ commands: string[]; last: string }> {
  const commands = walkthrough(readme, name);
  const home = mkdtempSync(join(tmpdir(), 'meow-readme-'));
  homes.push(home);
  let last = '';
  for (const command of commands) {
    if (LONG_RUNNING.test(command)) {
      await startInBackground(command, home);
      continue;
    }
    const ran = await run(command, home);
    expect(ran.code, `${command}\n${ran.out}`).toBe(0);
    expect(ran.out, command).not.toMatch(/ENOENT|EISDIR|at .*\.ts:\d+/); // no raw Node error, no stack
    last = ran.out;
  }
  return { commands, last };
}

/** The text of the block's `meow ... send CONTACT "TEXT"` command. */
function sentText(commands: readonly string[]): string {
  const send = commands.find((c) => / send \S+ "/.test(c));
  expect(send, 'the walkthrough sends a message').toBeDefined();
  return /"([^"]+)"/.exec(send!)![1]!;
}

describe('README walkthroughs, as written', () => {
  it('reads its marked blocks', () => {
    const two = walkthrough(readme, 'two nodes');
    expect(two.filter((c) => LONG_RUNNING.test(c))).toHaveLength(2);
    expect(two.at(-1)).toMatch(/^npx meow -d ~\/bob inbox/);
    expect(() => walkthrough('no block', 'two nodes')).toThrow('README.md has no walkthrough "two nodes"');
  });

  it('two nodes on one machine: Alice sends, Bob reads', async () => {
    const { commands, last } = await follow('two nodes');
    expect(last).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d {2}alice: ${sentText(commands)}$`, 'm'));
  }, 600_000);

  it('through a relay: Carol sends, Dave reads', async () => {
    const { commands, last } = await follow('relay');
    expect(last).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d {2}carol: ${sentText(commands)}$`, 'm'));
  }, 600_000);
});
