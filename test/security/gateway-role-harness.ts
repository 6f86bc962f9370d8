/**
 * The gateway role of a mesh node in process (apps/meow-node/gateway-role.ts),
 * without a router: requests are handed to it as delivery.ts does, with the
 * sender the router authenticated. One in-memory relay (FakeRelay), an
 * in-memory store, a clock that only moves when told.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../apps/meow-node/config.ts';
import { type RunningGateway, startGateway } from '../../apps/meow-node/gateway-role.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import type { Clock } from '../../seams/clock.ts';
import type { OutboxOptions } from '../../seams/store.ts';
import { FakeRelay } from '../gateway/bridge/fake-relay.ts';

export const RELAY = 'http://relay.test';
export const suite = createPortableSuite();

export class ManualClock implements Clock {
  t = 1_790_000_000_000;
  now(): number {
    return this.t;
  }
  setTimer(): { cancel(): void } {
    return { cancel: () => undefined };
  }
}

export interface GatewayUnderTest {
  readonly gateway: RunningGateway;
  readonly relay: FakeRelay;
  readonly store: Store;
  readonly clock: ManualClock;
  readonly nodeSeed: Uint8Array;
  readonly nodePublic: Uint8Array;
  readonly lines: string[];
  readonly dataDir: string;
  /** Stops the gateway; keep: the data directory stays (to start it again). */
  stop(keep?: boolean): Promise<void>;
}

/** A gateway on a fresh data directory, or on `dataDir` (a restart: its registrations are read back). */
export async function gatewayUnderTest(
  name: string, dataDir = mkdtempSync(join(tmpdir(), `meow-${name}-`)), outbox?: OutboxOptions,
): Promise<GatewayUnderTest> {
  const clock = new ManualClock();
  const random = new SeededRandom(name);
  const store = openStore({ path: ':memory:', clock, random, ...(outbox ? { outbox } : {}) });
  const relay = new FakeRelay(RELAY, suite, (lookupPublic) => mailboxTagOf(suite, lookupPublic));
  const nodeSeed = random.bytes(32);
  const nodePublic = suite.ed25519PublicKey(nodeSeed);
  const lines: string[] = [];
  const config = parseConfig({ dataDir, region: 'none', gateway: { relays: [RELAY], depositStampBits: 0 } });
  const gateway = await startGateway(config, {
    clock, random, suite, store, log: createLogger('debug', () => clock.now(), (l) => lines.push(l)),
    nodeKey: { seed: nodeSeed, publicKey: nodePublic }, sendToNode: async () => 'acked', openRelay: () => relay,
  });
  // The first probe (connectivity.start) finds the relay online.
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return {
    gateway, relay, store, clock, nodeSeed, nodePublic, lines, dataDir,
    async stop(keep = false) {
      await gateway.stop();
      store.close();
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
