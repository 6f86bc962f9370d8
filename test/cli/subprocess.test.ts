/** The real thing once: `node bin/meow.js` in a child process, real scrypt cost, real exit codes. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/meow.js', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function meow(cwd: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], {
      cwd, env: { PATH: process.env.PATH ?? '', MEOW_PASSPHRASE: 'subprocess pw' },
    }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.on('error', () => undefined); // the CLI may refuse and exit before reading all of it
    child.stdin?.end(input ?? '');
  });
}

describe('meow as a subprocess', () => {
  it('keygen, card create and inspect work end to end with their exit codes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meow-bin-'));
    dirs.push(dir);
    const keygen = await meow(dir, ['keygen', '--out', 'id.json']);
    expect(keygen).toMatchObject({ code: 0, stdout: 'identity written to id.json (scrypt N=2^17 r=8 p=1, XChaCha20-Poly1305)\n' });
    expect((await stat(join(dir, 'id.json'))).mode & 0o777).toBe(0o600);
    const create = await meow(dir, ['card', 'create', '--keys', 'id.json', '--out', '.', '--name', 'me', '--server', 'https://relay.example.net']);
    expect(create.code).toBe(0);
    const armored = await readFile(join(dir, 'me.card.txt'), 'utf8');
    const inspected = await meow(dir, ['inspect'], armored);
    expect(inspected.code).toBe(0);
    expect(JSON.parse(inspected.stdout)).toMatchObject({ inspector: 'card', input: 'armor', value: { kind: 'invite', servers: ['https://relay.example.net'] } });
    expect(await meow(dir, ['inspect'], 'not a card')).toMatchObject({ code: 2, stderr: expect.stringContaining('not a card, key file, gateway request, envelope or frame') });
    expect((await meow(dir, ['nope'])).code).toBe(2);
  });

  it('refuses 5 MB on standard input with a size error, never a silent cut', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meow-bin-'));
    dirs.push(dir);
    const r = await meow(dir, ['inspect'], 'A'.repeat(5 * 1024 * 1024));
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'meow: standard input is larger than 1048576 bytes (1 MiB): cards, envelopes and frames are far smaller\n' });
  });
});
