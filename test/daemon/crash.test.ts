/**
 * Kill -9 a meow-node process in the middle of receiving messages: every
 * message it acknowledged end to end must be in its SQLite mailboxes when
 * the database is opened again, byte for byte (nothing accepted is lost).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { decodeEnvelopeHeader } from '../../protocol/envelope/header.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createSessionPair } from '../../protocol/session/pair.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { parseConfig } from '../../apps/meow-node/config.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { startMeshNode } from '../../apps/meow-node/mesh-node.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { openStore } from '../../node-runtime/store/index.ts';
import { waitUntil } from '../support/wait.ts';

const root = mkdtempSync(join(tmpdir(), 'meow-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bin = new URL('../../bin/meow-node.js', import.meta.url).pathname;
const suite = createNodeSuite();


describe('meow-node killed with SIGKILL mid-ingest', () => {
  it('keeps every message it acknowledged', async () => {
    const daemonDir = join(root, 'daemon');
    const configPath = join(root, 'node.json');
    writeFileSync(configPath, JSON.stringify({
      dataDir: daemonDir, region: 'none', log: { level: 'warn' }, status: { port: 0 },
      links: [{ type: 'udp', port: 20201, bindAddress: '127.0.0.1', peers: ['127.0.0.1:20202'], mdns: false }],
    }));
    const child = spawn(process.execPath, [bin, '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

    const sender = await startMeshNode(parseConfig({
      dataDir: join(root, 'sender'), region: 'none', status: { port: 0 },
      links: [{ type: 'udp', port: 20202, bindAddress: '127.0.0.1', peers: ['127.0.0.1:20201'], mdns: false }],
    }), { clock: systemClock, random: systemRandom, suite, log: createLogger('error', Date.now, () => {}) });

    try {
      const keyText = await waitUntil(() => { try { return readFileSync(join(daemonDir, 'node.key'), 'utf8'); } catch { return undefined; } }, 20_000);
      const seed = fromHex((JSON.parse(keyText) as { ed25519Seed: string }).ed25519Seed)!;
      const daemonId = meshNodeId(suite, suite.ed25519PublicKey(seed));
      const { alice } = createSessionPair(createPortableSuite(), new SeededRandom('crash'));

      const acked = new Map<string, Uint8Array>();
      let stop = false;
      // Four senders in parallel keep several messages in flight at the moment of the kill.
      const lanes = [0, 1, 2, 3].map(async (lane) => {
        for (let i = 0; !stop; i++) {
          const { envelope } = alice.sealText(`lane ${lane} message ${i}`);
          try {
            await sender.router.sendDirect(daemonId, envelope);
            acked.set(toHex(envelope), envelope);
          } catch {
            // the daemon died or is still starting: an unacknowledged message may or may not have been kept
          }
        }
      });
      await waitUntil(() => (acked.size >= 60 ? true : undefined), 60_000);
      child.kill('SIGKILL');
      stop = true;
      await exited;
      await Promise.race([Promise.all(lanes), new Promise((r) => setTimeout(r, 100))]);
      const ackedAtKill = new Map(acked);
      expect(ackedAtKill.size).toBeGreaterThanOrEqual(60);

      const store = openStore({ path: join(daemonDir, 'node.db'), clock: systemClock, random: systemRandom });
      try {
        expect(store.integrityCheck()).toEqual(['ok']);
        const header = decodeEnvelopeHeader([...ackedAtKill.values()][0]!);
        if (!header.ok || header.value.kind !== 'direct') throw new Error('expected a direct envelope');
        const tag = fromHex(header.value.mailboxTag)!;
        const kept = new Set(store.mailboxes.list(tag, { limit: 10_000 }).map((m) => toHex(m.bytes)));
        const lost = [...ackedAtKill.keys()].filter((k) => !kept.has(k));
        expect(lost, stderr).toEqual([]);
      } finally {
        store.close();
      }
    } finally {
      child.kill('SIGKILL');
      await sender.stop();
    }
  }, 120_000);
});
