/**
 * People talking through the node's local API, in one process on loopback:
 * two meow-nodes (UDP on 127.0.0.1), each with its local API on a real HTTP
 * socket, the default vault layout in a real file (8 x 128 KiB).
 *  - local-api.send: messages per second that `POST /v1/messages` accepts
 *    (answered "queued": sealed, the vault saved, the envelope on disk in
 *    agent-submissions), one after the other; baseline: the vault's
 *    whole-file save alone, as saves per second, measured in the same run
 *    (a ratio near 1 means the save is the whole cost).
 *  - local-api.send.8-parallel: the same with eight senders at once, beside
 *    one at a time: concurrent saves share one write (agent/save-coalescer.ts).
 *  - local-api.delivery: time from `POST /v1/messages` on Alice's node to
 *    the message in Bob's agent (median); baseline: the router's own
 *    sendDirect between the same nodes, settled by the end-to-end ack.
 * The vault KDF is cheap here (scrypt 2^10): unlocking is the vault bench's.
 * `npm run bench -- --only local-api`
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromArgs } from '../../apps/meow-node/main.ts';
import { startMeshNode, type MeshNode } from '../../apps/meow-node/mesh-node.ts';
import { startStatusServer, type StatusServer } from '../../apps/meow-node/status-server.ts';
import { createLocalApi, type LocalApi } from '../../apps/meow-node/local-api/index.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { createNodeScryptKdf } from '../../node-runtime/platform/scrypt-kdf.ts';
import type { NodeConfig } from '../../apps/meow-node/config.ts';
import { createVault } from '../../agent/vault/vault.ts';
import { writeFileAtomic } from '../../node-runtime/keystore/atomic-write.ts';
import { createVaultFile } from '../../node-runtime/platform/vault-file.ts';
import type { ImportCardResponse, InvitationView, MessageView } from '../../seams/local-api.ts';
import { type Benchmark, withBaseline } from './harness.ts';

interface Running {
  node: MeshNode;
  api: LocalApi;
  server: StatusServer;
  token: string;
}

async function start(dir: string, udp: number, peer: number): Promise<Running> {
  const config = configFromArgs(['--data-dir', dir, '--port', String(udp), '--peer', `127.0.0.1:${peer}`, '--no-mdns', '--api-port', '0']) as NodeConfig;
  const log = createLogger('error', () => systemClock.now(), () => undefined);
  const suite = createNodeSuite();
  const node = await startMeshNode({ ...config, region: 'none' } as NodeConfig, { clock: systemClock, random: systemRandom, suite, log });
  let listen = 0;
  const api = createLocalApi({
    dataDir: dir, suite, random: systemRandom, clock: systemClock, log, port: node.agentPort,
    kdf: createNodeScryptKdf({ logN: 10, r: 8, p: 1 }), listenPort: () => listen,
  });
  const server = await startStatusServer('127.0.0.1', 0, () => node.status(), api.handler);
  listen = server.port;
  return { node, api, server, token: readFileSync(join(dir, 'api.token'), 'utf8').trim() };
}

async function call<T>(r: Running, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${r.server.port}${path}`, {
    method, headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const bench: Benchmark = async ({ report, quick }) => {
  const root = await mkdtemp(join(tmpdir(), 'meow-api-bench-'));
  const alice = await start(join(root, 'alice'), 46471, 46472);
  const bob = await start(join(root, 'bob'), 46472, 46471);
  try {
    await call(alice, 'POST', '/v1/agent/init', { password: 'a' });
    await call(bob, 'POST', '/v1/agent/init', { password: 'b' });
    const invite = await call<InvitationView>(alice, 'POST', '/v1/invitations', { name: 'bob' });
    const answer = await call<ImportCardResponse>(bob, 'POST', '/v1/cards/import', { card: invite.card.card, name: 'alice' });
    await call(alice, 'POST', '/v1/cards/import', { card: answer.answer!.card });
    const contactId = invite.contact.id;

    // Delivery first, on a quiet node: each message waits for the previous one.
    const arrivals = new Map<string, number>();
    bob.api.host.events((e) => {
      if (e.type === 'message' && e.message.direction === 'in') arrivals.set(e.message.text, performance.now());
    });
    const latencies: number[] = [];
    for (let i = 0; i < (quick ? 5 : 15); i++) {
      const text = `latency ${i}`;
      const start = performance.now();
      await call<MessageView>(alice, 'POST', '/v1/messages', { contactId, text });
      while (!arrivals.has(text)) await new Promise((r) => setTimeout(r, 2));
      latencies.push(arrivals.get(text)! - start);
    }
    const raw: number[] = [];
    for (let i = 0; i < (quick ? 5 : 15); i++) {
      const start = performance.now();
      await bob.node.router.sendDirect(alice.node.nodeId, new TextEncoder().encode(`raw ${i}`.padEnd(200, '.')));
      raw.push(performance.now() - start);
    }
    report(withBaseline('local-api.delivery', median(latencies), 'ms', median(raw), 'router.sendDirect, end-to-end ack'));

    const count = quick ? 30 : 100;
    const sendStart = performance.now();
    for (let i = 0; i < count; i++) await call(alice, 'POST', '/v1/messages', { contactId, text: `burst ${i}` });
    const perSecond = (count * 1000) / (performance.now() - sendStart);
    // Eight senders at once (a group chat's copies, a browser and the CLI): their saves share writes.
    const parallel = 8;
    const concurrentStart = performance.now();
    await Promise.all(Array.from({ length: parallel }, async (_, k) => {
      for (let i = 0; i < count / parallel; i++) await call(alice, 'POST', '/v1/messages', { contactId, text: `parallel ${k} ${i}` });
    }));
    const concurrentPerSecond = (Math.floor(count / parallel) * parallel * 1000) / (performance.now() - concurrentStart);
    // The save alone: the same compartment written again, the same whole file, as often.
    const doc = new TextEncoder().encode('x'.repeat(32 * 1024));
    const saves: number[] = [];
    const session = await createVault({
      storage: createVaultFile(join(root, 'bench.vault'), writeFileAtomic), kdf: createNodeScryptKdf({ logN: 10, r: 8, p: 1 }), random: systemRandom, suite: createNodeSuite(),
    }, new TextEncoder().encode('s'));
    for (let i = 0; i < (quick ? 10 : 30); i++) {
      const start = performance.now();
      await session.compartment.save(doc);
      saves.push(performance.now() - start);
    }
    report(withBaseline('local-api.send', perSecond, 'msg/s', 1000 / median(saves), 'vault whole-file save alone (saves/s)'));
    report(withBaseline('local-api.send.8-parallel', concurrentPerSecond, 'msg/s', perSecond, 'one sender at a time'));
    report({ name: 'local-api.vault-save', value: median(saves), unit: 'ms' });
  } finally {
    for (const r of [alice, bob]) {
      r.api.stop();
      await r.server.close();
      await r.node.stop();
    }
    await rm(root, { recursive: true, force: true });
  }
};

export default bench;
