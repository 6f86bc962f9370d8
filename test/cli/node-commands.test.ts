/**
 * The conversation commands against a real meow-node process (its local API
 * on loopback, its vault at the real scrypt cost), the CLI in-process: every
 * mistake a user makes gets its message and exit code, and `meow chat`
 * shows history, sends, and prints live states.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { hasCommand, missingTool } from '../support/required-tool.ts';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import type { CliIo } from '../../apps/meow/io.ts';
import { main } from '../../apps/meow/meow.ts';

const checkout = join(import.meta.dirname, '../..');
let dir: string;
let nodeProcess: ChildProcess;

interface Result { code: number; stdout: string; stderr: string }

async function meow(argv: string[], extra: Partial<CliIo> = {}, env: Record<string, string> = {}): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    readStdin: async () => new Uint8Array(0),
    env: { MEOW_DATA_DIR: join(dir, 'node'), ...env },
    cwd: dir,
    suite: createNodeSuite(),
    random: systemRandom,
    ...extra,
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meow-node-cli-'));
  await writeFile(join(dir, 'pass'), 'correct horse battery\n', { mode: 0o600 });
  nodeProcess = spawn(process.execPath, ['bin/meow-node.js', '--data-dir', join(dir, 'node'), '--port', '0', '--api-port', '0', '--no-mdns'],
    { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    nodeProcess.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('meow-node: ready')) resolve();
    });
    nodeProcess.once('exit', (c) => reject(new Error(`meow-node exited ${c}`)));
  });
}, 120_000);

afterAll(async () => {
  if (nodeProcess.exitCode === null) {
    const exited = new Promise((r) => nodeProcess.once('exit', r));
    nodeProcess.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('meow with a running node', () => {
  it('says how to start a node when none answers, or none ever ran on that directory', async () => {
    await writeFile(join(dir, 'api.url'), 'http://127.0.0.1:9\n');
    await writeFile(join(dir, 'api.token'), 'ab\n');
    expect(await meow(['contacts', '-d', '.'])).toEqual({ code: 1, stdout: '', stderr: 'meow: no meow-node answers at http://127.0.0.1:9: start it with `npx meow-node --data-dir .`\n' });
    expect(await meow(['contacts', '-d', 'elsewhere'])).toEqual({
      code: 1, stdout: '',
      stderr: 'meow: no meow-node has run with the data directory elsewhere (no api.token there): start one with `npx meow-node --data-dir elsewhere`, or give the node\'s --data-dir\n',
    });
  });

  it('creates the identity, refuses a second init, and unlocks only with the right password', async () => {
    expect(await meow(['contacts'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^meow: .*`meow init`/) });
    const asked: string[] = [];
    expect(await meow(['unlock'], { promptSecret: async (q) => { asked.push(q); return 'x'; } })).toEqual({
      code: 1, stdout: '', stderr: 'meow: no identity on this node yet: create one with `meow init`\n',
    });
    expect(asked).toEqual([]); // nobody types a password for nothing
    const init = await meow(['init', '--passphrase-file', 'pass']);
    expect(init).toMatchObject({ code: 0, stderr: '' });
    expect(init.stdout).toMatch(/^identity created, fingerprint [0-9 ]+\n/);
    expect(await meow(['init', '--passphrase-file', 'pass'])).toEqual({ code: 2, stdout: '', stderr: 'meow: this node already has an identity: `meow unlock` opens it\n' });
    expect(await meow(['lock'])).toEqual({ code: 0, stdout: 'locked: the node keeps no key of your vault in memory now\n', stderr: '' });
    expect(await meow(['send', 'bob', 'hi'])).toMatchObject({ code: 1, stderr: expect.stringContaining('meow unlock') });
    expect(await meow(['unlock'], {}, { MEOW_PASSPHRASE: 'wrong' })).toEqual({ code: 2, stdout: '', stderr: 'meow: wrong password\n' });
    expect(await meow(['unlock'])).toEqual({ code: 2, stdout: '', stderr: 'meow: a password is needed: type it at a terminal, or give --passphrase-file FILE or MEOW_PASSPHRASE\n' });
    const prompted: string[] = [];
    const unlocked = await meow(['unlock', '--remember'], { promptSecret: async (q) => { prompted.push(q); return 'correct horse battery'; } });
    expect(prompted).toEqual(['password: ']);
    expect(unlocked.code).toBe(0);
    expect(unlocked.stderr).toContain('meow: warning: the password is now saved in clear in');
    expect((await stat(join(dir, 'node', 'remembered-password'))).mode & 0o777).toBe(0o600);
    expect((await meow(['lock'])).code).toBe(0);
    expect((await meow(['unlock'])).code).toBe(0); // the remembered one
    expect(await meow(['lock', '--forget'])).toMatchObject({ code: 0, stdout: expect.stringContaining('the remembered password is deleted') });
    expect((await meow(['unlock', '--passphrase-file', 'pass'])).code).toBe(0);
  }, 60_000);

  it('invites, refuses its own invitation and a bad card, names unknown contacts, refuses onion policy', async () => {
    const created = await meow(['card', 'create', 'bob', '--out', 'for-bob.card', '--png', 'for-bob.png']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toContain('invite card written to for-bob.card');
    expect((await readFile(join(dir, 'for-bob.png'))).subarray(1, 4).toString()).toBe('PNG');
    expect(await meow(['card', 'import', 'for-bob.card', '--name', 'me'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^meow: .*own/) });
    await writeFile(join(dir, 'junk.card'), 'not a card at all');
    expect(await meow(['card', 'import', 'junk.card', '--name', 'x'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: junk.card is not a Meow card (damaged, or another kind of file: `meow inspect junk.card` tells)\n',
    });
    expect(await meow(['card', 'answer', 'for-bob.card'])).toMatchObject({ code: 2, stderr: expect.stringContaining('is an invitation, not an answer') });
    expect(await meow(['send', 'bobb', 'hi'])).toEqual({ code: 2, stdout: '', stderr: 'meow: no contact named "bobb": did you mean bob? (your contacts: bob)\n' });
    expect(await meow(['send', 'bob'])).toMatchObject({ code: 2, stderr: 'meow: send takes a CONTACT and the TEXT (quote it: meow send bob "see you at 6")\n' });
    expect((await meow(['contacts'])).stdout).toMatch(/^bob \(invited, waiting for their answer\) {2}policy (direct|server)\n$/);
    expect(await meow(['policy', 'bob', 'matriochka'])).toMatchObject({ code: 2 });
    expect(await meow(['policy', 'bob', 'server', 'http://127.0.0.1:8470'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: the contact\'s card does not list http://127.0.0.1:8470: its mailbox is not there\n',
    });
    expect(await meow(['policy', 'bob', 'direct'])).toEqual({ code: 0, stdout: 'bob: direct (over the mesh or LAN first, no relay to fall back on)\n', stderr: '' });
    expect(await meow(['policy', 'bob', 'onion'])).toEqual({ code: 2, stdout: '', stderr: 'meow: the mode is server, direct or matriochka, not "onion"\n' });
    expect((await meow(['card', 'show', 'bob'])).stdout).toMatch(/^-----BEGIN MEOW CARD-----/);
    const unreachable = await meow(['card', 'create', 'erin', '--relay', 'http://127.0.0.1:9', '--out', 'for-erin.card']);
    expect(unreachable.code).toBe(0);
    expect(unreachable.stderr).toBe('meow: warning: the relay 127.0.0.1:9 does not answer now (http://127.0.0.1:9/v1/descriptor): '
      + 'check its URL; messages through it wait until it answers\n');
  }, 60_000);

  it('keeps hidden contacts out of sight until their own password is typed', async () => {
    await writeFile(join(dir, 'hidden-pass'), 'a second secret\n', { mode: 0o600 });
    expect(await meow(['hidden', '--passphrase-file', 'hidden-pass'])).toMatchObject({ code: 0, stdout: expect.stringContaining('hidden compartment created and open') });
    expect((await meow(['card', 'create', 'carol', '--hidden', '--out', 'for-carol.card'])).code).toBe(0);
    expect((await meow(['contacts'])).stdout).toContain('carol (invited, waiting for their answer, hidden)');
    expect((await meow(['lock'])).code).toBe(0);
    expect((await meow(['unlock', '--passphrase-file', 'pass'])).code).toBe(0);
    expect((await meow(['contacts'])).stdout).not.toContain('carol');
    expect(await meow(['unlock', '--passphrase-file', 'hidden-pass'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^unlocked/) });
    expect((await meow(['contacts'])).stdout).toContain('carol (invited, waiting for their answer, hidden)');
  }, 60_000);

  const noPty = missingTool('script', hasCommand('script'), 'util-linux script gives meow a terminal to prompt on');
  it.skipIf(noPty !== undefined)('asks for the password on a terminal, without echoing it', async () => {
    expect((await meow(['lock'])).code).toBe(0);
    const command = `${JSON.stringify(process.execPath)} bin/meow.js unlock -d ${JSON.stringify(join(dir, 'node'))}`;
    const pty = spawn('script', ['-qec', command, '/dev/null'], { cwd: checkout, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', TERM: 'dumb' } });
    let out = '';
    pty.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.endsWith('password: ')) pty.stdin!.write('correct horse battery\r');
    });
    const code = await new Promise<number | null>((r) => pty.once('exit', r));
    expect(code, out).toBe(0);
    expect(out).toContain('password: ');
    expect(out).toMatch(/unlocked, fingerprint [0-9 ]+/);
    expect(out).not.toContain('correct horse');
  }, 60_000);

  it('documents every command with meow help COMMAND', async () => {
    for (const topic of ['init', 'unlock', 'lock', 'hidden', 'card create', 'card import', 'card answer', 'card show', 'contacts', 'send', 'inbox', 'chat', 'policy', 'status']) {
      const r = await meow(['help', ...topic.split(' ')]);
      expect(r.code, topic).toBe(0);
      expect(r.stdout, topic).toMatch(new RegExp(`^Usage: meow ${topic}`));
    }
    expect((await meow(['send', '--help'])).stdout).toContain('--wait SECONDS');
  });

  it('status shows the node and its local API address', async () => {
    const r = await meow(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^node [0-9a-f]{16} {3}up \d+ s\n/);
    expect(r.stdout).toMatch(/\nlocal API: http:\/\/127\.0\.0\.1:\d+\n$/);
  });

  it('chat prints the history, sends each line typed, and leaves on /quit', async () => {
    const input = new PassThrough();
    const running = meow(['chat', 'bob'], { input, interactive: false });
    await new Promise((r) => setTimeout(r, 1500));
    input.write('/quit\n');
    const r = await running;
    expect(r).toEqual({ code: 0, stderr: '', stdout: 'chat with bob\ntype a message and Enter to send; /quit or Ctrl-D to leave\n' });
  }, 30_000);
});
