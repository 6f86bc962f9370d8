/** `meow-relay` as a user runs it: a real process, its embedded defaults, a client over loopback, a clean stop. */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/codec/bytes.ts';
import { generateLookupKeyPair } from '../../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../../protocol/server/mailbox.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { relayOptionsFromArgs } from '../../../apps/meow-relay/main.ts';
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
