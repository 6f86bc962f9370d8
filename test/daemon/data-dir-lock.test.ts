import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../apps/meow-node/config.ts';
import { lockDataDir } from '../../apps/meow-node/data-dir-lock.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const dir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'meow-lock-'));
  dirs.push(d);
  return d;
};

describe('data directory lock', () => {
  it('lets one node in, refuses a second while the first lives, and frees the directory on release', () => {
    const d = dir();
    writeFileSync(join(d, 'node.lock'), `${process.ppid}\n`); // a live process (our parent) holds it
    expect(() => lockDataDir(d)).toThrow(ConfigError);
    expect(() => lockDataDir(d)).toThrow(/another meow-node \(pid \d+\) is using/);
    rmSync(join(d, 'node.lock'));
    const lock = lockDataDir(d);
    expect(existsSync(join(d, 'node.lock'))).toBe(true);
    lock.release();
    expect(existsSync(join(d, 'node.lock'))).toBe(false);
  });

  it('takes over a lock left by a process that no longer exists (kill -9, power loss)', () => {
    const d = dir();
    writeFileSync(join(d, 'node.lock'), '2147483646\n');
    const lock = lockDataDir(d);
    lock.release();
  });
});

const checkout = join(import.meta.dirname, '../..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    if (condition()) return true;
  }
  return condition();
}

describe('kill -TERM of npm start', () => {
  it('reaches the node: it stops, frees its data-directory lock and leaves no process behind', async () => {
    const d = dir();
    const npm = spawn('npm', ['start', '--', '--data-dir', d, '--port', '0', '--api-port', '0', '--no-mdns'],
      { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'] });
    let nodePid = 0;
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        npm.stdout!.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('meow-node: ready')) resolve();
        });
        npm.once('exit', (code) => reject(new Error(`npm start exited ${code}: ${out}`)));
      });
      nodePid = Number.parseInt(readFileSync(join(d, 'node.lock'), 'utf8'), 10);
      expect(nodePid).not.toBe(npm.pid);
      expect(alive(nodePid)).toBe(true);
      const npmExited = new Promise((r) => npm.once('exit', r));
      process.kill(npm.pid!, 'SIGTERM');
      await npmExited;
      expect(await until(() => !alive(nodePid), 10_000)).toBe(true);
      expect(existsSync(join(d, 'node.lock'))).toBe(false); // a clean stop, not a kill
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      if (nodePid && alive(nodePid)) process.kill(nodePid, 'SIGKILL');
    }
  });
});
