/**
 * A locked vault in the user's words (issue 8 audit: "the agent is locked"
 * named an internal part): AgentHost.unlocked() on a data directory that
 * holds a vault nobody opened, and on one that holds none.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentHost, type AgentHostDeps, VAULT_FILE } from '../../apps/meow-node/local-api/agent-host.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function host(withVault: boolean): Promise<AgentHost> {
  const dataDir = await mkdtemp(join(tmpdir(), 'meow-locked-'));
  dirs.push(dataDir);
  if (withVault) await writeFile(join(dataDir, VAULT_FILE), new Uint8Array(64));
  const node = { onEnvelope: () => () => undefined };
  return new AgentHost({ dataDir, suite: createNodeSuite(), random: new SeededRandom('locked'), clock: { now: () => 0 }, node } as unknown as AgentHostDeps);
}

describe('the node says the vault is locked, not the agent', () => {
  it('names the vault and the command that opens it', async () => {
    const locked = await host(true);
    const none = await host(false);
    expect(() => locked.unlocked()).toThrow('your vault is locked: run `meow unlock` first');
    expect(() => none.unlocked()).toThrow('no identity on this node yet: run `meow init` first');
  });
});
