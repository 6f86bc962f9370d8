import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
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
