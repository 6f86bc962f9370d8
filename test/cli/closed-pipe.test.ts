/**
 * `meow status | head -3` (issue 8 audit): the reader closes the pipe before
 * meow has written everything. One real process: no stack trace, exit 0.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/meow.js', import.meta.url));

describe('meow writing into a closed pipe', () => {
  it('stops quietly', async () => {
    const child = spawn(process.execPath, [bin, 'help', 'card', 'create'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    child.stdout.destroy(); // the reader is gone before the first byte: every write fails with EPIPE
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
