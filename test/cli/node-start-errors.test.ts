/**
 * meow-node's and meow-relay's start failures in words (issue 8 audit): a config file that is
 * missing or a directory, a data directory that is a file, a port in use.
 * Real errors from Node, taken in-process: no code (ENOENT, EISDIR, EEXIST,
 * EADDRINUSE) and no system call name reaches the user.
 */
import { createConnection, createServer, type Server } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/meow-node/config.ts';
import { describeStartError } from '../../apps/start-errors.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meow-node-start-'));
  await writeFile(join(dir, 'a-file'), 'x');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

describe('meow-node start errors', () => {
  it('says a config file is missing or is a directory, in words', () => {
    expect(() => loadConfig(join(dir, 'nope.json'))).toThrow(`config: cannot read ${join(dir, 'nope.json')}: no such file or directory`);
    expect(() => loadConfig(dir)).toThrow(`config: cannot read ${dir}: is a directory, not a file`);
  });

  it('says a data directory given as a file is a file', async () => {
    const error = await mkdir(join(dir, 'a-file'), { recursive: true }).catch((e: unknown) => e);
    expect(describeStartError(error)).toBe(`${join(dir, 'a-file')}: is a file, not a directory`);
  });

  it('says a port is in use, not EADDRINUSE', async () => {
    const first = createServer();
    await listen(first, 0);
    const { port } = first.address() as { port: number };
    const error = await listen(createServer(), port).catch((e: unknown) => e);
    first.close();
    expect((error as Error).message).toContain('EADDRINUSE');
    expect(describeStartError(error)).toBe(`127.0.0.1:${port} is in use by another program (another meow-node or meow-relay?): give another port`);
    // The UDP link wraps Node's text in its own (node-runtime/links/udp/udp-link.ts).
    expect(describeStartError(new Error('udp link: cannot bind 0.0.0.0:6370: bind EADDRINUSE 0.0.0.0:6370')))
      .toBe('udp link: cannot bind 0.0.0.0:6370: 0.0.0.0:6370 is in use by another program (another meow-node or meow-relay?): give another port');
  });

  it('says nothing answers, not ECONNREFUSED (meow-relay --mqtt without a broker)', async () => {
    const closed = createServer();
    await listen(closed, 0);
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const error = await new Promise((resolve) => createConnection(port, '127.0.0.1').once('error', resolve));
    expect(describeStartError(error)).toBe(`nothing answers at 127.0.0.1:${port} (is it running?)`);
  });
});
