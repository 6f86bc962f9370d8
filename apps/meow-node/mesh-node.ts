/**
 * A running mesh node: links and their schedulers, the router, the durable
 * store, and (when relays are configured) the Internet gateway. The daemon
 * (main.ts) builds one from the configuration; tests build several in one
 * process on loopback sockets.
 *
 * Delivery is durable: the router acknowledges a message end to end only
 * after delivery.ts stored it in the hosted mailboxes (SQLite, synchronous=FULL).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { toHex, fromHex } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { AnnounceFlag } from '../../protocol/mesh/announce.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock } from '../../seams/clock.ts';
import { createRouter, type Router } from '../../node-runtime/router/router.ts';
import type { RouterStats } from '../../node-runtime/router/types.ts';
import { openStore, startHousekeeping, type Store } from '../../node-runtime/store/index.ts';
import type { SchedulerStats } from '../../node-runtime/scheduler/transmit-scheduler.ts';
import { type BuiltLink, buildLink, type LinkDeps } from './build-links.ts';
import type { NodeConfig } from './config.ts';
import { redactUrl } from '../../gateway/bridge/redact-url.ts';
import { type GatewayStatus, startGateway, type RunningGateway } from './gateway-role.ts';
import type { Logger } from '../../seams/logger.ts';
import type { NodeStatusReport } from '../../seams/node-status.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { createDelivery } from './delivery.ts';
import { loadOrCreateNodeKey, type NodeKey } from './node-key.ts';
import { createInProcessNodePort, type InProcessNodePort } from './local-api/node-port.ts';
import { decodeEnvelopeFields } from '../../protocol/envelope/clear-fields.ts';
import { envelopeId } from '../../protocol/envelope/envelope-id.ts';
import { relayPort } from '../../gateway/client/index.ts';
import { type DirectRole, startDirectRole } from './direct-role.ts';
import { type OpenSensorIo, type SensorRole, startSensorRole } from './sensor-role.ts';
import { trustedBroadcasterKeys } from './broadcast-config.ts';
import { openFirmataPort } from '../../hardware/sensors/firmata-port.ts';
import { chooseMeshGateway, MeshOnionClient, withMeshOnions } from '../../gateway/bridge/mesh-onion-client.ts';

/** The deposit stamp a default meow-relay asks (gateway/server/config.ts depositStampBits); a relay asking fewer accepts it too. */
const AGENT_DEPOSIT_STAMP_BITS = 16;

export interface MeshNodeDeps {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly suite: CryptoSuite;
  readonly log: Logger;
  readonly openLoRa?: LinkDeps['openLoRa'];
  /** Opens a sensor board's Firmata IO (default: firmata-io on the serial port); tests give mock-firmata. */
  readonly openSensorIo?: OpenSensorIo;
}

export interface LinkStatus {
  readonly id: string;
  readonly kind: string;
  readonly mtu: number;
  readonly stats: ReturnType<BuiltLink['link']['stats']>;
  readonly scheduler: SchedulerStats;
}

export interface NodeStatus {
  readonly nodeId: string;
  /** The node's public key, hex (the secret never leaves node-key.ts). */
  readonly nodeKey: string;
  readonly uptimeMs: number;
  readonly router: RouterStats;
  readonly links: readonly LinkStatus[];
  readonly mailboxes: ReturnType<Store['mailboxes']['totals']>;
  readonly gateway?: GatewayStatus;
}

/** The status endpoint's contract (seams/node-status.ts): this stops compiling if what the daemon reports no longer fits it. */
type FitsStatusContract<T extends NodeStatusReport> = T;
export type ReportedNodeStatus = FitsStatusContract<NodeStatus>;

export interface MeshNode {
  readonly nodeId: Uint8Array;
  /** The node's Ed25519 public key (announced; gateways take registrations sealed to it). */
  readonly publicKey: Uint8Array;
  readonly router: Router;
  readonly store: Store;
  /** How the node-hosted agent and the local API's envelope routes reach the mesh and relays (seams/node-port.ts). */
  readonly agentPort: InProcessNodePort;
  /** The field-sensor roles (config `sensors`, `collector`). */
  readonly sensors: SensorRole;
  status(): NodeStatus;
  stop(): Promise<void>;
}

export async function startMeshNode(config: NodeConfig, deps: MeshNodeDeps): Promise<MeshNode> {
  const { clock, random, suite, log } = deps;
  const startedAt = clock.now();
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const lock = lockDataDir(config.dataDir);
  let store: Store;
  let key: NodeKey;
  let created: boolean;
  try {
    ({ key, created } = loadOrCreateNodeKey(config.dataDir, suite, random));
    store = openStore({ path: join(config.dataDir, 'node.db'), clock, random });
  } catch (error) {
    lock.release();
    throw error;
  }
  const built: BuiltLink[] = [];
  let gateway: RunningGateway | undefined;
  let direct: DirectRole | undefined;
  try {
    const nodeIdFull = meshNodeId(suite, key.publicKey);
    for (const linkConfig of config.links) {
      built.push(await buildLink(linkConfig, { clock, random, suite, log, nodeId: nodeIdFull, region: config.region, dataDir: config.dataDir, ...(deps.openLoRa ? { openLoRa: deps.openLoRa } : {}) }));
    }
    const isGateway = config.gateway.relays.length > 0;
    const deliver = createDelivery({ store, suite, log, gateway: () => gateway, broadcasters: trustedBroadcasterKeys(config.broadcast) });
    const agentPortRef: { current?: InProcessNodePort } = {};
    const sensorRef: { current?: SensorRole } = {};
    // After delivery.ts stored a direct envelope, the agents watching its mailbox hear of it.
    // A collected sensor's envelope goes to the sensor table instead (sensor-role.ts).
    const meshOnionsRef: { current?: MeshOnionClient } = {};
    const deliverAndTell = (envelope: Uint8Array, meta: Parameters<typeof deliver>[1]): boolean => {
      // A gateway's answer to this node's onion requests (config onion.gateway).
      if (meshOnionsRef.current?.deliver(envelope, meta.source)) return true;
      // A pinned sensor's copy not authenticated as from its node is left unacknowledged, not taken as mail.
      const sensor = sensorRef.current?.deliver(envelope, meta) ?? 'not-collected';
      if (sensor !== 'not-collected') return sensor === 'handled';
      const stored = deliver(envelope, meta);
      const fields = stored ? decodeEnvelopeFields(envelope) : undefined;
      if (fields?.ok && fields.value.kind === 'direct') agentPortRef.current?.deposited(fields.value.mailboxTag, envelopeId(suite, envelope), envelope);
      return stored;
    };
    const router = createRouter({
      nodeKeys: { seed: key.seed, publicKey: key.publicKey }, suite, clock, random,
      links: built.map((b) => b.link), queues: built.map((b) => b.scheduler),
      store: { accept: (envelope, meta) => deliverAndTell(envelope, meta) },
      log: { debug: (m, f) => log.debug(m, f), warn: (m, f) => log.warn(m, f) },
      config: {
        ...(config.meshKeyHex ? { meshKey: fromHex(config.meshKeyHex)! } : {}),
        announceFlags: AnnounceFlag.mailboxHost | (isGateway ? AnnounceFlag.gateway : 0),
        // A node that just started tells its neighbours within a minute (then hourly), within the announce airtime cap.
        firstAnnounceWithinMs: 60_000,
      },
    });
    if (isGateway) {
      gateway = await startGateway(config, {
        clock, random, suite, log, store, nodeKey: key, sendToNode: (nodeId, envelope, destPublicKey) => router.sendDirect(nodeId, envelope, destPublicKey ? { destPublicKey } : {}),
      });
    }

    log.info('mesh node started', {
      nodeId: toHex(router.nodeId), keyCreated: created, dataDir: config.dataDir,
      links: built.map((b) => b.link.id), gateway: isGateway ? config.gateway.relays.map(redactUrl) : undefined,
    });

    // Envelopes sent straight to this node by contacts who read its presence (config `direct`).
    // Onions built here, carried over the mesh by a gateway (apps/meow-node/onion-config.ts `gateway`).
    const viaGateway = config.onion?.gateway;
    const meshOnions = viaGateway === undefined ? undefined : new MeshOnionClient({
      suite, random, clock,
      gateway: () => chooseMeshGateway(suite, viaGateway, () => router.catalog(AnnounceFlag.gateway), toHex(router.nodeId)),
      send: (g, request) => router.sendDirect(g.nodeId, request, g.publicKey ? { destPublicKey: g.publicKey } : {}),
    });
    meshOnionsRef.current = meshOnions;
    direct = await startDirectRole(config.direct, { suite, clock, random, log, accept: (e) => agentPortRef.current?.receiveDirect(e) ?? 'unknown-mailbox' });
    const port = createInProcessNodePort({
      ...(direct ? { direct: { address: direct.address, send: direct.send, ...(direct.punch ? { punch: direct.punch } : {}) } } : {}),
      nodeId: router.nodeId, nodePublicKey: key.publicKey, store, suite, clock, random, log,
      // With the node key a submission named (submission-attempt.ts), the message carries an authenticated origin.
      sendDirect: (nodeId: Uint8Array, envelope: Uint8Array, destPublicKey?: Uint8Array) => router.sendDirect(nodeId, envelope, destPublicKey ? { destPublicKey } : {}),
      // A contact's mailbox is "first contact" to the relay (no sender pass yet): mint the stamp a default relay asks.
      relay: (url) => {
        const port = relayPort(url, { clock, random, suite, stampBits: AGENT_DEPOSIT_STAMP_BITS });
        return meshOnions ? withMeshOnions(port, meshOnions, { suite, random, clock, stampBits: AGENT_DEPOSIT_STAMP_BITS }) : port;
      },
    });
    agentPortRef.current = port;
    const sensors = await startSensorRole(config, {
      suite, clock, log, store, dataDir: config.dataDir,
      // With the collector's node key (config sensors.collector), the readings carry an authenticated origin.
      sendDirect: (nodeId, envelope, destPublicKey) => router.sendDirect(nodeId, envelope, destPublicKey ? { destPublicKey } : {}),
      openSensorIo: deps.openSensorIo ?? openFirmataPort,
    }).catch(async (error: unknown) => {
      port.stop();
      await router.close();
      throw error;
    });
    sensorRef.current = sensors;

    // Expired mail, outbox items and seen ids are swept on the injected clock.
    const housekeeping = startHousekeeping(store, clock);

    return {
      nodeId: router.nodeId,
      publicKey: key.publicKey,
      router,
      store,
      agentPort: port,
      sensors,
      status: () => ({
        nodeId: toHex(router.nodeId),
        nodeKey: toHex(key.publicKey),
        uptimeMs: clock.now() - startedAt,
        router: router.stats(),
        links: built.map((b) => ({ id: b.link.id, kind: b.link.kind, mtu: b.link.mtu, stats: b.link.stats(), scheduler: b.scheduler.stats() })),
        mailboxes: store.mailboxes.totals(),
        ...(gateway ? { gateway: gateway.status() } : {}),
      }),
      async stop() {
        housekeeping.stop();
        meshOnions?.stop();
        sensors.stop();
        port.stop();
        await direct?.close();
        await gateway?.stop();
        await router.close();
        for (const b of built) {
          await b.stop();
          b.scheduler.close();
          await b.link.close();
        }
        store.close();
        lock.release();
        log.info('mesh node stopped', { nodeId: toHex(router.nodeId) });
      },
    };
  } catch (error) {
    await direct?.close().catch(() => undefined);
    await gateway?.stop();
    for (const b of built) await b.link.close().catch(() => undefined);
    store.close();
    lock.release();
    throw error;
  }
}
