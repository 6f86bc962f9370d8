/**
 * The node host polls locked compartments the same way whether they are
 * real or fake: with only the main password typed, it watches
 * mailboxesPerCompartment mailboxes for each of the 7 other slots, whether
 * or not a hidden compartment exists; a hidden compartment's password
 * takes its slot off the list. Real vault file, cheap KDF.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentHost } from '../../apps/meow-node/local-api/agent-host.ts';
import type { KeeperNode } from '../../apps/meow-node/local-api/locked-compartments.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { createNodeScryptKdf } from '../../node-runtime/platform/scrypt-kdf.ts';
import type { WatchedMailbox } from '../../seams/node-port.ts';
import { MemoryMesh } from '../agent/memory-node.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function host(): { host: AgentHost; locked: () => readonly WatchedMailbox[] } {
  const dir = mkdtempSync(join(tmpdir(), 'meow-locked-'));
  dirs.push(dir);
  const inner = new MemoryMesh().port(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
  let locked: readonly WatchedMailbox[] = [];
  const node: KeeperNode = {
    meshNodeId: inner.meshNodeId!,
    submit: (r) => inner.submit(r), receiptState: (id) => inner.receiptState(id), onState: (h) => inner.onState(h),
    watch: (m) => inner.watch(m), onEnvelope: (h) => inner.onEnvelope(h), release: (t, i) => inner.release(t, i),
    watchFor: (source, mailboxes) => {
      if (source === 'locked') locked = mailboxes;
    },
  };
  const h = new AgentHost({ dataDir: dir, suite: createNodeSuite(), random: systemRandom, clock: systemClock, node, kdf: createNodeScryptKdf({ logN: 10, r: 8, p: 1 }) });
  return { host: h, locked: () => locked };
}

describe('locked compartments on the node host', () => {
  it('watches 7 x 8 mailboxes with only fakes, the same with a real hidden compartment locked, 6 x 8 while it is open', async () => {
    const onlyFakes = host();
    await onlyFakes.host.init('main');
    expect(onlyFakes.locked()).toHaveLength(56);
    expect(onlyFakes.locked().every((m) => m.lookupSecret?.length === 32 && m.tag.length === 6)).toBe(true);

    const withHidden = host();
    await withHidden.host.init('main');
    await withHidden.host.createHidden('hidden');
    expect(withHidden.locked()).toHaveLength(48);
    await withHidden.host.lock();
    expect(withHidden.locked()).toHaveLength(0); // nothing is polled while the main compartment is locked
    await withHidden.host.unlock('main');
    expect(withHidden.locked()).toHaveLength(56);
    await withHidden.host.unlock('hidden');
    expect(withHidden.locked()).toHaveLength(48);
    await onlyFakes.host.lock();
    await withHidden.host.lock();
  });
});
