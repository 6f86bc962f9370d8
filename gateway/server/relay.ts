/**
 * A whole relay: the node store (messages) and the relay tables in one
 * SQLite file and connection (one fsync per group commit), the server key
 * beside it in the data directory, the core, its doors and a housekeeping
 * timer. `meow-relay`
 * (apps/meow-relay/main.ts) is a thin command line around startRelay().
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { dualKeyPairFromSecrets, generateServerKeyPair, type ServerKeyPair } from '../../protocol/keys/keys.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { openStore } from '../../node-runtime/store/index.ts';
import type { MailboxOptions, Store } from '../../seams/store.ts';
import type { RelayLimits } from './config.ts';
import type { RunningDoor } from '../../seams/door.ts';
import { RelayCore } from './core/relay-core.ts';
import { type DoorOptions, openDoors } from './doors/door-table.ts';
import { RelayConfigError } from './errors.ts';
import { RelayDb } from './store/relay-db.ts';
import { createRelaySuite } from './crypto/relay-suite.ts';
import { type CatalogPeer, type CatalogSyncResult, type ConnectCatalogPeer, syncCatalogWith } from './catalog-sync.ts';
import type { DoorCore } from '../../seams/door.ts';
import { type OnionForward, OnionRelay } from './onion/onion-relay.ts';
import { catalogUrlResolver, type ResolveRelayUrls } from './onion/catalog-urls.ts';
import { type CoverTraffic, type CoverTrafficOptions, startCoverTraffic } from './onion/cover-traffic.ts';
import { type AddressReflector, DEFAULT_REFLECTOR_BUDGET, startAddressReflector } from './reflector.ts';

export const STORE_FILE = 'mailboxes.sqlite';
/** Where relays before the one-file layout kept their tables: imported once at start, then renamed to `relay.sqlite.imported`. */
export const RELAY_DB_FILE = 'relay.sqlite';
export const KEY_FILE = 'server-key.bin';

/** The onion front (docs/PROTOCOL.md "Matriochka message packing"): on when given. */
export interface RelayOnionOptions {
  /**
   * How to hand a peeled packet to the next relay, found by `resolve` in this
   * relay's catalog: gateway/client createOnionForwarder, given by the program
   * (apps/meow-relay), since the server does not import the client.
   */
  readonly forwarder: (resolve: ResolveRelayUrls) => { readonly forward: OnionForward; close(): Promise<void> };
  /** Onion key period, ms (default one day; the previous key peels for one more period). */
  readonly keyPeriodMs?: number;
  /** Packets held at once, each waiting for its delay (default 10 000). */
  readonly maxHeld?: number;
  /** Cover traffic: loops through the catalog back to this relay (off by default; docs/THREAT-MODEL.md for the cost). */
  readonly cover?: CoverTrafficOptions;
}

export interface RelayServerOptions extends DoorOptions {
  /** Directory for the SQLite files and the server key (created when missing). */
  readonly dataDir: string;
  readonly suite?: CryptoSuite;
  readonly random?: RandomSource;
  readonly clock?: Clock;
  /** The server key; default: loaded from (or created in) dataDir/server-key.bin. */
  readonly key?: ServerKeyPair;
  /** URLs to publish instead of the doors' own (behind NAT or a reverse proxy). */
  readonly publicUrls?: readonly string[];
  readonly limits?: Partial<RelayLimits>;
  readonly mailbox?: MailboxOptions;
  readonly housekeepingMs?: number;
  /** Relays to exchange catalogs with (any door URL), every `catalogSyncMs` (default 1 hour). */
  readonly peers?: readonly string[];
  readonly catalogSyncMs?: number;
  /**
   * How to reach a peer: the relay client (gateway/client connectRelay),
   * given by the program that starts the relay (apps/meow-relay), since the
   * server does not import the client. Required when `peers` is not empty.
   */
  readonly connectPeer?: ConnectCatalogPeer;
  readonly log?: (event: string, detail: string) => void;
  /** Longest wait for a group commit to fill, in ms (node-runtime/store/group-commit.ts). Default 2; 0 commits every event-loop turn. */
  readonly commitWaitMs?: number;
  readonly onion?: RelayOnionOptions;
  /** The address reflector for hole punching (reflector.ts, docs/PROTOCOL.md "Presence and direct messaging"). */
  readonly reflector?: { readonly host: string; readonly port: number };
}

export interface RunningRelay {
  readonly core: RelayCore;
  /** The onion front when `onion` was given: the doors drive it, and it hands every other frame to `core`. */
  readonly onion?: OnionRelay;
  /** The onion front's cover traffic, when on. */
  readonly onionCover?: CoverTraffic;
  /** The address reflector when `reflector` was given. */
  readonly reflector?: AddressReflector;
  readonly key: ServerKeyPair;
  readonly doors: readonly RunningDoor[];
  /** The doors' URLs (credentials included for basic-auth doors). */
  readonly urls: readonly string[];
  /** Runs one catalog exchange with every peer now (also run on a timer); failures are logged, not thrown. */
  syncCatalogs(): Promise<CatalogSyncResult[]>;
  close(): Promise<void>;
}

/** Loads the relay key (64 bytes: Ed25519 seed || X25519 secret), creating it with mode 0600 on first start. */
export function loadOrCreateServerKey(dataDir: string, suite: CryptoSuite, random: RandomSource): ServerKeyPair {
  const file = join(dataDir, KEY_FILE);
  if (existsSync(file)) {
    const raw = readFileSync(file);
    if (raw.length !== 64) throw new RelayConfigError(`${file}: expected 64 bytes`);
    return dualKeyPairFromSecrets(suite, 'server', new Uint8Array(raw.subarray(0, 32)), new Uint8Array(raw.subarray(32)));
  }
  const key = generateServerKeyPair(suite, random);
  const raw = new Uint8Array(64);
  raw.set(key.signingSecret, 0);
  raw.set(key.agreementSecret, 32);
  writeFileSync(file, raw, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  raw.fill(0);
  return key;
}

/**
 * A data directory from before the one-file layout has its relay tables in
 * relay.sqlite: copy them into the store's file (one transaction), then
 * rename the old file so that it is not imported again and is not mistaken
 * for live data. Runs before any door opens, so nothing is written between.
 */
function importLegacyRelayDb(db: RelayDb, dataDir: string, log: RelayServerOptions['log']): void {
  const legacy = join(dataDir, RELAY_DB_FILE);
  if (!existsSync(legacy)) return;
  const rows = db.importLegacy(legacy);
  for (const suffix of ['-wal', '-shm', '']) {
    if (existsSync(legacy + suffix)) renameSync(legacy + suffix, `${legacy}.imported${suffix}`);
  }
  log?.('relay-db-imported', `${rows} rows from ${legacy}`);
}

export async function startRelay(options: RelayServerOptions): Promise<RunningRelay> {
  const suite = options.suite ?? createRelaySuite(createNodeSuite());
  const random = options.random ?? systemRandom;
  const clock = options.clock ?? systemClock;
  if (options.peers?.length && !options.connectPeer) throw new RelayConfigError('catalog peers need connectPeer (the relay client)');
  const connectPeer: ConnectCatalogPeer = options.connectPeer ?? (() => Promise.reject(new RelayConfigError('no connectPeer')));
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const key = options.key ?? loadOrCreateServerKey(options.dataDir, suite, random);
  const store: Store = openStore({ path: join(options.dataDir, STORE_FILE), clock, random, ...(options.mailbox ? { mailbox: options.mailbox } : {}) });
  let db: RelayDb;
  try {
    db = new RelayDb(store.database());
    importLegacyRelayDb(db, options.dataDir, options.log);
  } catch (e) {
    store.close();
    throw e;
  }
  const core = new RelayCore({
    suite, random, clock, key, urls: [], store, db, ...(options.limits ? { limits: options.limits } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.commitWaitMs === undefined ? {} : { commitWaitMs: options.commitWaitMs }),
  });
  const onion = options.onion ? startOnionFront(options.onion, { suite, random, clock, key, core, log: options.log }) : undefined;
  let doors: RunningDoor[];
  try {
    doors = await openDoors(onion?.relay ?? core, options);
  } catch (e) {
    await onion?.close();
    db.close();
    store.close();
    throw e;
  }
  let reflector: AddressReflector | undefined;
  try {
    reflector = options.reflector ? await startAddressReflector(clock, { ...options.reflector, ...DEFAULT_REFLECTOR_BUDGET }) : undefined;
  } catch (e) {
    await Promise.all(doors.map((d) => d.close()));
    await onion?.close();
    db.close();
    store.close();
    throw e;
  }
  const urls = doors.map((d) => d.url);
  // Published URLs never carry the basic-auth password: that is given out of band.
  core.setUrls(options.publicUrls ?? urls.map((u) => u.replace(/\/\/[^@/]*@/, '//')));

  let timer: TimerHandle | undefined;
  let syncTimer: TimerHandle | undefined;
  let closed = false;
  const peerClients = new Map<string, CatalogPeer>();
  const syncCatalogs = async (): Promise<CatalogSyncResult[]> => {
    const results: CatalogSyncResult[] = [];
    for (const url of options.peers ?? []) {
      try {
        let peer = peerClients.get(url);
        if (!peer) {
          peer = await connectPeer(url, { suite, random, clock });
          peerClients.set(url, peer);
        }
        results.push(await syncCatalogWith(core, peer));
      } catch (e) {
        const stale = peerClients.get(url);
        peerClients.delete(url);
        await stale?.close().catch(() => undefined);
        options.log?.('catalog-sync-failed', `${url.replace(/\/\/[^@/]*@/, '//')}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return results;
  };
  const catalogRounds = (): void => {
    if (!options.peers?.length) return;
    syncTimer = clock.setTimer(options.catalogSyncMs ?? 3_600_000, () => {
      if (!closed) void syncCatalogs().finally(catalogRounds);
    });
  };
  catalogRounds();
  const housekeeping = (): void => {
    timer = clock.setTimer(options.housekeepingMs ?? 60_000, () => {
      if (closed) return;
      core.expire().catch((e: unknown) => options.log?.('housekeeping-failed', String(e))).finally(housekeeping);
    });
  };
  housekeeping();

  return {
    core, key, doors, urls, syncCatalogs, ...(onion ? { onion: onion.relay } : {}), ...(onion?.cover ? { onionCover: onion.cover } : {}), ...(reflector ? { reflector } : {}),
    async close() {
      if (closed) return;
      closed = true;
      timer?.cancel();
      syncTimer?.cancel();
      await Promise.all([...peerClients.values()].map((c) => c.close().catch(() => undefined)));
      await Promise.all(doors.map((d) => d.close()));
      await reflector?.close();
      await onion?.close();
      // Let a group commit scheduled by the last requests run before the files close.
      await new Promise((r) => setImmediate(r));
      core.flushCommits();
      db.close();
      store.close();
    },
  };
}

/** The onion front over the core: its keys are signed into the core's descriptor, its next hops found in the core's catalog. */
function startOnionFront(
  o: RelayOnionOptions,
  c: { suite: CryptoSuite; random: RandomSource; clock: Clock; key: ServerKeyPair; core: RelayCore; log: RelayServerOptions['log'] },
): { relay: OnionRelay & DoorCore; cover?: CoverTraffic; close(): Promise<void> } {
  const forwarder = o.forwarder(catalogUrlResolver(c.suite, c.clock, () => c.core.catalogBytes()));
  const relay = new OnionRelay({
    suite: c.suite, random: c.random, clock: c.clock, key: c.key, core: c.core, forward: forwarder.forward,
    ...(o.keyPeriodMs === undefined ? {} : { keyPeriodMs: o.keyPeriodMs }),
    ...(o.maxHeld === undefined ? {} : { maxHeld: o.maxHeld }),
    ...(c.log ? { log: c.log } : {}),
  });
  const cover = o.cover && o.cover.perMinute > 0
    ? startCoverTraffic({ suite: c.suite, random: c.random, clock: c.clock, relay, forward: forwarder.forward, catalogBytes: () => c.core.catalogBytes() }, o.cover)
    : undefined;
  return {
    relay, ...(cover ? { cover } : {}),
    async close() {
      cover?.stop();
      relay.close();
      await relay.drained();
      await forwarder.close();
    },
  };
}
