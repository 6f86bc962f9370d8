/**
 * A password saved with `meow unlock --remember` unlocks the agent when the
 * node starts (a real meow-node process, restarted): the log says so without
 * the password; a saved password that does not open the vault leaves the
 * agent locked and says why. The CLI's warning says the node will use it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rememberPassword } from '../../apps/meow/password.ts';
import type { CliIo } from '../../apps/meow/io.ts';
import { api, eventually, ready, restart, startNode, stop } from './support.ts';

const root = mkdtempSync(join(tmpdir(), 'meow-e2e-remember-'));
const node = startNode(root, 'alice', 21611, 21619, 21631);
afterAll(async () => {
  await stop(node);
  rmSync(root, { recursive: true, force: true });
});

const PASSWORD = 'correct horse battery';

async function remember(password: string): Promise<string> {
  let stderr = '';
  const io = { stderr: { write: (t: string) => (stderr += t) } } as unknown as CliIo;
  await rememberPassword(io, node.dir, password);
  return stderr;
}

async function stateAfterRestart(): Promise<string> {
  await stop(node);
  node.stderr = '';
  restart(root, node, 'alice');
  await ready(node);
  return eventually(async () => {
    const s = (await api<{ state: string }>(node, 'GET', '/v1/agent')).json.state;
    return s === 'unlocked' || /remembered password/.test(node.stderr) ? s : undefined;
  }, 60_000, 'the remembered password to be tried');
}

describe('a remembered password at node start', () => {
  it('unlocks the agent, says so in the log without the password; a wrong one leaves it locked', async () => {
    await ready(node);
    expect((await api(node, 'POST', '/v1/agent/init', { password: PASSWORD })).status).toBe(201);
    const warning = await remember(PASSWORD);
    expect(warning).toContain('saved in clear');
    expect(warning).toContain('The node uses it to unlock your vault by itself at every start');

    expect(await stateAfterRestart()).toBe('unlocked');
    await eventually(async () => (/agent unlocked at start with the password saved/.test(node.stderr) ? true : undefined), 30_000, 'the log line');
    expect(node.stderr).not.toContain(PASSWORD);
    expect((await api(node, 'GET', '/v1/contacts')).status).toBe(200);

    await remember('not the password');
    expect(await stateAfterRestart()).toBe('locked');
    expect(node.stderr).toContain('the remembered password does not open the vault');
    expect(node.stderr).not.toContain('not the password');
    expect((await api(node, 'GET', '/v1/contacts')).status).toBe(423); // locked
  }, 240_000);
});
