/** `meow-relay` as a user runs it: a real process, its embedded defaults, a client over loopback, a clean stop. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/codec/bytes.ts';
import { generateLookupKeyPair } from '../../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../../protocol/server/mailbox.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { RELAY_HELP, relayOptionsFromArgs } from '../../../apps/meow-relay/main.ts';
import { connect, freePort, suite, tempDir } from './support.ts';

describe('meow-relay command', () => {
  it('reads flags with defaults (127.0.0.1:8470, data directory from the environment)', () => {
    const o = relayOptionsFromArgs([], { MEOW_RELAY_DATA: '/tmp/x' });
    expect(o).toMatchObject({ dataDir: '/tmp/x', http: { host: '127.0.0.1', port: 8470 } });
    expect(relayOptionsFromArgs(['--port', '9000', '--udp-port', '0', '--auth', 'u:p:w'], {})).toMatchObject({
      http: { port: 9000, basicAuth: { user: 'u', pass: 'p:w' } }, udp: { port: 0 },
    });
    expect(() => relayOptionsFromArgs(['--port', '70000'], {})).toThrow(/port/);
    expect(() => relayOptionsFromArgs(['--https-port', '1'], {})).toThrow(/tls/);
    expect(() => relayOptionsFromArgs(['--stamp-bits', 'lots'], {})).toThrow(/stamp-bits/);
    expect(relayOptionsFromArgs(['--stamp-bits', '20'], {})).toMatchObject({ limits: { depositStampBits: 20 } });
    expect(relayOptionsFromArgs(['--help'], {})).toBe('help');
  });

  it('starts, serves a deposit and a fetch, keeps its key file private, and stops on SIGTERM', async () => {
    const dir = tempDir('cli');
    const port = await freePort();
    const child = spawn(process.execPath, ['bin/meow-relay.js', '--data', dir.path, '--port', String(port), '--stamp-bits', '0'],
      { cwd: join(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('listening')) resolve();
        });
        child.once('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
      });
      expect(out).toContain(`listening http://127.0.0.1:${port}`);
      const c = await connect(`http://127.0.0.1:${port}`, 'cli');
      const owner = generateLookupKeyPair(suite, new SeededRandom('cli-owner'));
      await c.register(owner);
      await c.deposit(mailboxTagOf(suite, owner.publicKey), utf8('via the command'));
      expect((await c.fetch(owner)).messages).toHaveLength(1);
      await c.close();
      expect(statSync(join(dir.path, 'server-key.bin')).mode & 0o777).toBe(0o600);
      expect(existsSync(join(dir.path, 'mailboxes.sqlite'))).toBe(true);
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      dir.remove();
    }
  });
});

const checkout = join(import.meta.dirname, '../../..');

/** Resolves with stdout once a line contains `ready`; rejects with all output if the process exits first. */
function waitFor(child: ChildProcess, ready: string): Promise<string> {
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) resolve(out);
    });
    child.once('exit', (c) => reject(new Error(`exited ${c}: ${out}${err}`)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('meow-relay as a new user runs it', () => {
  it('--help describes every flag it accepts', () => {
    const flags = [...RELAY_HELP.matchAll(/^ {2}(?:-h, )?(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(flags.sort()).toEqual(['--auth', '--config', '--data', '--help', '--host', '--https-port', '--mqtt', '--no-http', '--onion', '--onion-cover-per-minute',
      '--peer', '--peer-sync-seconds', '--port', '--public-url', '--reflect-port', '--stamp-bits', '--tls-cert', '--tls-key', '--udp-port']);
    expect(() => relayOptionsFromArgs(['--prot', '1'], {})).toThrow('unknown flag --prot: did you mean --port?');
    expect(() => relayOptionsFromArgs(['--config', '/nonexistent/relay.json'], {})).toThrow('--config /nonexistent/relay.json: no such file');
  });

  it('takes a data-directory lock: a second relay on the same directory exits 1 with a clear message', async () => {
    const dir = tempDir('lock');
    const first = spawn(process.execPath, ['bin/meow-relay.js', '--data', dir.path, '--port', '0', '--stamp-bits', '0'],
      { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitFor(first, 'listening');
      expect(readFileSync(join(dir.path, 'relay.lock'), 'utf8')).toBe(`${first.pid}\n`);
      const second = spawn(process.execPath, ['bin/meow-relay.js', '--data', dir.path, '--port', '0'], { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      second.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => second.once('exit', r));
      expect(code).toBe(1);
      expect(err).toBe(`meow-relay: another meow-relay (pid ${first.pid}) is using ${dir.path}: stop it first, or give another data directory\n`);
      const exited = new Promise((r) => first.once('exit', r));
      first.kill('SIGTERM');
      await exited;
      expect(existsSync(join(dir.path, 'relay.lock'))).toBe(false);
    } finally {
      if (first.exitCode === null) first.kill('SIGKILL');
      dir.remove();
    }
  });

  it('kill -TERM of `npx meow-relay` stops the relay itself (npm forwards the signal only to its shell)', async () => {
    const dir = tempDir('npx');
    const npx = spawn('npx', ['meow-relay', '--data', dir.path, '--port', '0', '--stamp-bits', '0'], { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'] });
    let relayPid = 0;
    try {
      await waitFor(npx, 'listening');
      relayPid = Number.parseInt(readFileSync(join(dir.path, 'relay.lock'), 'utf8'), 10);
      expect(relayPid).not.toBe(npx.pid);
      const exited = new Promise((r) => npx.once('exit', r));
      process.kill(npx.pid!, 'SIGTERM');
      await exited;
      const deadline = Date.now() + 10_000;
      while (alive(relayPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(alive(relayPid)).toBe(false);
      expect(existsSync(join(dir.path, 'relay.lock'))).toBe(false); // it closed cleanly
    } finally {
      if (npx.exitCode === null) npx.kill('SIGKILL');
      if (relayPid && alive(relayPid)) process.kill(relayPid, 'SIGKILL');
      dir.remove();
    }
  });
});
