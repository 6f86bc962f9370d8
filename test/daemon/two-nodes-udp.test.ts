/**
 * Two daemons' worth of mesh node in one process, joined by real UDP
 * sockets on loopback: a direct message from A reaches B's hosted mailbox
 * in SQLite, and the status shows the neighbour and the counters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createSessionPair } from '../../protocol/session/pair.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { main } from '../../apps/meow/meow.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { startStatusServer } from '../../apps/meow-node/status-server.ts';
import { parseConfig } from '../../apps/meow-node/config.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { type MeshNode, startMeshNode } from '../../apps/meow-node/mesh-node.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';

const dirs: string[] = [];
const nodes: MeshNode[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function node(port: number, peerPort: number): Promise<MeshNode> {
  const dir = mkdtempSync(join(tmpdir(), 'meow-node-'));
  dirs.push(dir);
  const config = parseConfig({
    dataDir: dir, region: 'none',
    links: [{ type: 'udp', port, bindAddress: '127.0.0.1', peers: [`127.0.0.1:${peerPort}`], mdns: false }],
    status: { port: 0 },
  });
  const n = await startMeshNode(config, { clock: systemClock, random: systemRandom, suite: createNodeSuite(), log: createLogger('warn', Date.now, () => {}) });
  nodes.push(n);
  return n;
}

describe('mesh node over UDP on loopback', () => {
  it('delivers a sealed 1:1 message into the destination node mailbox, durably, and acknowledges it', async () => {
    const a = await node(20101, 20102);
    const b = await node(20102, 20101);
    const { alice, bob } = createSessionPair(createPortableSuite(), new SeededRandom('two-nodes'));
    const { envelope } = alice.sealText('hello over the mesh');
    const messageId = await a.router.sendDirect(b.nodeId, envelope);
    expect(typeof messageId).toBe('string');
    expect(b.store.mailboxes.totals().messages).toBe(1);
    // What B stored is the envelope, byte for byte, and Bob can open it.
    const bobTag = bob.mailboxes(Date.now())[0]!.tag;
    const stored = b.store.mailboxes.list(bobTag, { limit: 10 });
    expect(stored.map((m) => m.bytes)).toEqual([envelope]);
    const opened = bob.open(stored[0]!.bytes, Date.now());
    expect(opened.ok && opened.value.body).toEqual({ type: 'text', text: 'hello over the mesh' });
    const status = a.status();
    expect(status.router.counters.acked).toBeGreaterThanOrEqual(1);
    expect(status.links[0]!.stats.framesSent).toBeGreaterThan(0);
    expect(b.status().router.counters.delivered).toBe(1);
  });

  it('meow status prints neighbours, queues, airtime and duty cycle from a running node', async () => {
    const a = await node(20103, 20104);
    const b = await node(20104, 20103);
    const { alice } = createSessionPair(createPortableSuite(), new SeededRandom('status'));
    await a.router.sendDirect(b.nodeId, alice.sealText('hi').envelope);
    const server = await startStatusServer('127.0.0.1', 0, () => a.status());
    try {
      let stdout = '';
      const code = await main(['status', '--url', `http://127.0.0.1:${server.port}/status`], { stdout: { write: (t: string) => (stdout += t) } });
      expect(code).toBe(0);
      expect(stdout).toContain(`node ${toHex(a.nodeId)}`);
      expect(stdout).toMatch(/neighbours \(1\):/);
      expect(stdout).toMatch(/airtime \d+ ms {2}duty cycle 0\.00 %/);
      expect(stdout).toMatch(/acked 1 /);
      let json = '';
      expect(await main(['status', '--json', '--url', `http://127.0.0.1:${server.port}/status`], { stdout: { write: (t: string) => (json += t) } })).toBe(0);
      expect((JSON.parse(json) as { nodeId: string }).nodeId).toBe(toHex(a.nodeId));
    } finally {
      await server.close();
    }
    let err = '';
    expect(await main(['status', '--url', 'http://127.0.0.1:1/status'], { stderr: { write: (t: string) => (err += t) } })).toBe(1);
    expect(err).toMatch(/no meow-node answers/);
  });
});
