/**
 * Trusted emergency broadcasters in the node's config (`broadcast.trusted`,
 * apps/meow-node/broadcast-config.ts):
 *  - bad values stop the node at start with a message naming the field;
 *  - two mesh nodes on loopback UDP: a broadcast signed by the trusted key is
 *    verified and kept apart (TRUSTED_BROADCAST_TAG); a forgery carrying that
 *    key's id is dropped before anything is stored;
 *  - two meow-node processes: Bob's broadcast is shown to Alice under the
 *    name her node's operator gave the key, without Alice trusting it herself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { sealBroadcast } from '../../protocol/envelope/broadcast.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { ConfigError, parseConfig } from '../../apps/meow-node/config.ts';
import { BROADCAST_TAG, TRUSTED_BROADCAST_TAG } from '../../apps/meow-node/delivery.ts';
import { type MeshNode, startMeshNode } from '../../apps/meow-node/mesh-node.ts';
import { api, eventually, type NodeProcess, ready, startNode, stop } from './support.ts';

const suite = createNodeSuite();
const root = mkdtempSync(join(tmpdir(), 'meow-e2e-trusted-'));
const started: NodeProcess[] = [];
const meshNodes: MeshNode[] = [];
afterAll(async () => {
  for (const n of meshNodes) await n.stop();
  for (const n of started) await stop(n);
  rmSync(root, { recursive: true, force: true });
});

const KEY = 'ab'.repeat(32);
const base = { dataDir: join(root, 'x'), region: 'none', links: [{ type: 'udp', port: 21599, bindAddress: '127.0.0.1', peers: [], mdns: false }] };

describe('broadcast.trusted in the node config', () => {
  it('refuses bad values with the field named', () => {
    const bad: [unknown, string][] = [
      [{ trusted: ['abc'] }, 'config: broadcast.trusted[0] must be an Ed25519 public key of 64 hex digits, or { "key": "<64 hex>", "name": "..." }'],
      [{ trusted: [{ key: KEY, name: 'x'.repeat(33) }] }, 'config: broadcast.trusted[0].name must be 1 to 32 characters'],
      [{ trusted: [KEY, KEY.toUpperCase()] }, 'config: broadcast.trusted[1] must be a key not listed twice'],
      [{ trusted: KEY }, 'config: broadcast.trusted must be a list of at most 32 broadcaster keys'],
      [{ trusted: [{ key: KEY, nmae: 'x' }] }, 'config: broadcast.trusted[0].nmae must be one of key, name (unknown field)'],
      [{ trust: [KEY] }, 'config: broadcast.trust must be one of trusted (unknown field)'],
    ];
    for (const [broadcast, message] of bad) {
      let error: unknown;
      try {
        parseConfig({ ...base, broadcast });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(message);
    }
    expect(parseConfig({ ...base, broadcast: { trusted: [KEY.toUpperCase(), { key: 'cd'.repeat(32), name: 'civil protection' }] } }).broadcast).toEqual({
      trusted: [{ key: KEY, name: 'trusted by this node' }, { key: 'cd'.repeat(32), name: 'civil protection' }],
    });
  });

  it('meow-node stops at start on a bad key, saying which', () => {
    const config = join(root, 'bad.json');
    writeFileSync(config, JSON.stringify({ ...base, broadcast: { trusted: ['nope'] } }));
    const bin = new URL('../../bin/meow-node.js', import.meta.url).pathname;
    const run = spawnSync(process.execPath, [bin, '--config', config], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('broadcast.trusted[0] must be an Ed25519 public key of 64 hex digits');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('keeps a broadcast signed by the trusted key apart, verified; drops a forgery under its id', async () => {
    const seed = suite.sha256(new TextEncoder().encode('civil protection seed'));
    const key = toHex(suite.ed25519PublicKey(seed));
    const node = async (port: number, peer: number, trusted: string[]): Promise<MeshNode> => {
      const config = parseConfig({
        dataDir: mkdtempSync(join(root, 'mesh-')), region: 'none', status: { port: 0 },
        links: [{ type: 'udp', port, bindAddress: '127.0.0.1', peers: [`127.0.0.1:${peer}`], mdns: false }],
        broadcast: { trusted },
      });
      const n = await startMeshNode(config, { clock: systemClock, random: systemRandom, suite, log: createLogger('error', Date.now, () => {}) });
      meshNodes.push(n);
      return n;
    };
    const a = await node(21561, 21562, [key]);
    const b = await node(21562, 21561, []);
    const genuine = sealBroadcast(suite, seed, 'leave the valley by the north road', Date.now() + 3_600_000);
    const forged = sealBroadcast(suite, seed, 'stay home', Date.now() + 3_600_000).slice();
    forged[forged.length - 1]! ^= 1; // the same key id, a signature that does not verify
    const held = (n: MeshNode, tag: Uint8Array): Uint8Array[] => n.store.mailboxes.list(tag, { limit: 10 }).map((m) => m.bytes);

    b.router.broadcast(forged);
    b.router.broadcast(genuine);
    const kept = await eventually(async () => {
      const list = held(a, TRUSTED_BROADCAST_TAG);
      return list.length > 0 ? list : undefined;
    }, 30_000, 'the genuine broadcast on A');
    expect(kept.map((k) => toHex(k))).toEqual([toHex(genuine)]);
    // The forgery went out first; it was dropped, neither kept apart nor with the unverified ones.
    expect(held(a, BROADCAST_TAG)).toEqual([]);
  }, 120_000);

  it('shows a broadcast from a key the node trusts, under the operator\'s name', async () => {
    const bob = startNode(root, 'bob', 21571, 21572, 21581);
    started.push(bob);
    await ready(bob);
    expect((await api(bob, 'POST', '/v1/agent/init', { password: 'bob pass' })).status).toBe(201);
    const bobKey = (await api<{ myKey: string }>(bob, 'GET', '/v1/broadcasts')).json.myKey;
    expect(bobKey).toMatch(/^[0-9a-f]{64}$/);
    const alice = startNode(root, 'alice', 21572, 21571, 21582, { broadcast: { trusted: [{ key: bobKey, name: 'valley station' }] } });
    started.push(alice);
    await ready(alice);
    expect((await api(alice, 'POST', '/v1/agent/init', { password: 'alice pass' })).status).toBe(201);

    interface Shown { broadcasts: { text: string; author: string; authorName?: string; source: string }[] }
    const sent = await api<{ mesh: boolean }>(bob, 'POST', '/v1/broadcasts', { text: 'the bridge is down', ttlSeconds: 3600 });
    expect(sent.json.mesh).toBe(true);
    const shown = await eventually(async () => {
      const list = (await api<Shown>(alice, 'GET', '/v1/broadcasts')).json.broadcasts;
      return list.length > 0 ? list : undefined;
    }, 60_000, 'alice sees the broadcast');
    expect(shown).toEqual([expect.objectContaining({ text: 'the bridge is down', author: bobKey, authorName: 'valley station', source: 'mesh' })]);
  }, 180_000);
});
