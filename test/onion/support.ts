/**
 * In-process relays on real loopback sockets, each behind its onion front
 * (gateway/server/onion/onion-relay.ts) and forwarding through the relay
 * client (gateway/client/onion-forwarder.ts), as apps/meow-relay would wire them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { createRelaySuite } from '../../gateway/server/crypto/relay-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { openDoors } from '../../gateway/server/doors/door-table.ts';
import { type RunningRelay, startRelay } from '../../gateway/server/relay.ts';
import type { RunningDoor } from '../../seams/door.ts';
import { OnionRelay } from '../../gateway/server/onion/onion-relay.ts';
import { createOnionForwarder } from '../../gateway/client/onion-forwarder.ts';
import { httpTransport } from '../../gateway/client/http-transport.ts';
import type { RelayTransport } from '../../gateway/client/transport.ts';
import { onionRelaysOf } from '../../protocol/onion/catalog.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

export const suite = createRelaySuite(createNodeSuite());
const LIMITS = {
  perSource: { capacity: 1e9, refillPerSecond: 1e9 },
  perMailbox: { capacity: 1e9, refillPerSecond: 1e9 },
  perMailboxStamped: { capacity: 1e9, refillPerSecond: 1e9 },
};

export interface OnionTestRelay {
  readonly name: string;
  readonly relay: RunningRelay;
  readonly onion: OnionRelay;
  readonly url: string;
  readonly id: string;
  readonly dataDir: string;
  readonly logs: string[];
  /** Every packet this relay sent on to another relay, as sent. */
  readonly sent: Uint8Array[];
  stopDoors(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a relay; `resolveUrls` maps a server id (hex) to URLs (the test's catalog, filled once all run). */
export async function startOnionRelay(name: string, resolveUrls: (id: string) => Promise<readonly string[]>): Promise<OnionTestRelay> {
  const dataDir = mkdtempSync(join(tmpdir(), `meow-onion-${name}-`));
  const logs: string[] = [];
  const sent: Uint8Array[] = [];
  const log = (event: string, detail: string) => void logs.push(`${event} ${detail}`);
  const random = new SeededRandom(`onion-relay-${name}`);
  const relay = await startRelay({ dataDir, suite, random, clock: systemClock, http: false, limits: LIMITS, log, commitWaitMs: 0 });
  const forwarder = createOnionForwarder({
    resolve: (serverId) => resolveUrls(toHex(serverId)),
    open: (url): RelayTransport => {
      const t = httpTransport(url, { timeoutMs: 2000 });
      return { ...t, exchange: (frame, replyId) => (sent.push(frame.slice()), t.exchange(frame, replyId)), close: () => t.close() };
    },
  });
  const onion = new OnionRelay({ suite, random, clock: systemClock, key: relay.key, core: relay.core, forward: forwarder.forward, log });
  let doors: RunningDoor[] = await openDoors(onion, { http: { host: '127.0.0.1', port: 0 } });
  const url = (doors[0] as RunningDoor).url;
  relay.core.setUrls([url]);
  const stopDoors = async () => {
    await Promise.all(doors.map((d) => d.close()));
    doors = [];
  };
  return {
    name, relay, onion, url, id: toHex(relay.core.serverId), dataDir, logs, sent, stopDoors,
    async close() {
      await stopDoors();
      await onion.drained();
      await forwarder.close();
      await relay.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Gives every relay every descriptor (with onion keys) through its real catalog import. */
export async function shareCatalogs(relays: readonly OnionTestRelay[]): Promise<void> {
  const descriptors = relays.map((r) => r.onion.descriptor().bytes);
  for (const r of relays) await r.relay.core.importCatalog(descriptors);
}

/** A relay's catalog, seen through its onion-capable descriptors. */
export async function onionCatalogOf(r: OnionTestRelay) {
  return onionRelaysOf(suite, await r.relay.core.catalogBytes(), Math.floor(Date.now() / 1000));
}

/** Every byte of a relay's data directory (SQLite files and their WAL), to search for what it must not hold. */
export function storedBytes(r: OnionTestRelay): Buffer {
  r.relay.core.flushCommits();
  return Buffer.concat(readdirSync(r.dataDir).map((f) => readFileSync(join(r.dataDir, f))));
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
