/**
 * The node's field-sensor roles (issue 11 "Field sensor relays"):
 *  - a sensor relay (config `sensors`): johnny-five reads the Firmata board
 *    on a schedule, node-runtime/sensors/sensor-relay.ts batches and seals
 *    the readings under a durable counter (<dataDir>/sensor-counter) and the
 *    router carries each envelope to the collector's node; readings not yet
 *    sent wait in node.db (sensor_pending), so a restart or kill -9 sends
 *    them; a board lost later is reopened with backoff, the node running on.
 *    Given the collector's node key, each envelope goes with it (an
 *    authenticated origin at any distance, an ack only the collector can
 *    make); given its id only, it warns at start-up;
 *  - a collector (config `collector`): sensor envelopes of the sources it
 *    lists are opened, replay-checked against each source's window and kept
 *    in SQLite (node-runtime/store/sensor-readings.ts) instead of the hosted
 *    mailboxes; envelopes of sensors it does not know go on to the mailboxes
 *    like any other mail (budgeted by delivery.ts). A source configured with
 *    its node's key is kept only when the router authenticated it as from
 *    that node; one without warns at start-up.
 */
import { join } from 'node:path';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { decodeSensorHeader } from '../../protocol/envelope/sensor.ts';
import { EnvelopeKind, versionKindByte } from '../../protocol/envelope/kinds.ts';
import type { Clock } from '../../seams/clock.ts';
import type { Logger } from '../../seams/logger.ts';
import type { Store } from '../../node-runtime/store/index.ts';
import type { DeliverMeta } from '../../node-runtime/router/types.ts';
import { SqliteSensorStore } from '../../node-runtime/store/sensor-readings.ts';
import { ORIGIN_REFUSALS, SensorCollector } from '../../node-runtime/sensors/sensor-collector.ts';
import { SensorRelay, type SensorRelayStats } from '../../node-runtime/sensors/sensor-relay.ts';
import { FileSensorCounter } from '../../node-runtime/sensors/durable-counter.ts';
import { SqlitePendingReadings } from '../../node-runtime/sensors/pending-readings.ts';
import { ReconnectingSensorBoard, type BoardEvent } from '../../node-runtime/sensors/reconnecting-board.ts';
import { openSensorBoard } from '../../hardware/sensors/firmata-sensors.ts';
import type { CollectorConfig, SensorRelayConfig, SensorSource } from './sensors-config.ts';

/** Opens the Firmata IO of a board (hardware/sensors/firmata-port.ts on a node; mock-firmata in tests). */
export type OpenSensorIo = (port: string, baudRate: number) => object;

export interface SensorRoleDeps {
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  readonly log: Logger;
  readonly store: Store;
  readonly dataDir: string;
  /** The router's sendDirect; `destPublicKey`: the collector's node key, when configured (SendOptions.destPublicKey). */
  readonly sendDirect: (nodeId: Uint8Array, envelope: Uint8Array, destPublicKey?: Uint8Array) => Promise<unknown>;
  readonly openSensorIo: OpenSensorIo;
  /** How long the Firmata board has to answer at start and at each reconnection (default 10 s). */
  readonly boardTimeoutMs?: number;
  /** First wait before reopening a lost board (default 1 s; doubles up to 60 s). */
  readonly boardRetryMs?: number;
}

export interface CollectorView {
  readonly readings: SqliteSensorStore;
  /** The configured source of a sensor id (hex). */
  source(sensorIdHex: string): SensorSource | undefined;
  /** The sensor id (hex) of a configured source's name. */
  sensorIdOf(sourceName: string): string | undefined;
}

/**
 * What became of an envelope offered to the collector: 'not-collected' (not
 * a listed sensor's: deliver it as mail), 'handled' (stored, or refused for
 * good as forged or replayed: acknowledge it, a retry could never succeed),
 * 'unacknowledged' (a source pinned to its node, and this copy did not come
 * authenticated from that node: do not acknowledge, so an honest sensor keeps
 * its readings pending rather than lose them).
 */
export type SensorDelivery = 'not-collected' | 'handled' | 'unacknowledged';

export interface SensorRole {
  readonly collector?: CollectorView;
  /** `meta`: the router's, whose `source` and `sourcePublicKey` say which node sent the envelope, if authenticated. */
  deliver(envelope: Uint8Array, meta?: Pick<DeliverMeta, 'source' | 'sourcePublicKey'>): SensorDelivery;
  relayStats(): SensorRelayStats | undefined;
  stop(): void;
}

const SENSOR_KIND_BYTE = versionKindByte(EnvelopeKind.sensor);

type CollectorDeliver = (e: Uint8Array, meta?: Pick<DeliverMeta, 'source' | 'sourcePublicKey'>) => SensorDelivery;
const ORIGIN_REFUSED: ReadonlySet<string> = new Set(ORIGIN_REFUSALS);

function startCollector(config: CollectorConfig, deps: SensorRoleDeps): { view: CollectorView; deliver: CollectorDeliver } {
  const readings = new SqliteSensorStore(deps.store.database());
  const collector = new SensorCollector(deps.suite, deps.clock, readings);
  const sources = new Map<string, SensorSource>();
  for (const source of config.sources) {
    const node = source.node ? { id: fromHex(source.node.id)!, publicKey: fromHex(source.node.keyHex)! } : undefined;
    sources.set(collector.addSensor(fromHex(source.keyHex)!, node), source);
    if (!node) {
      deps.log.warn('sensor source without its node key: its readings are kept from whichever node hands them in (anyone holding its sensor key can write them); give its "node" (the sensor node\'s nodeKey) to keep only that node\'s', { source: source.name });
    }
  }
  const deliver: CollectorDeliver = (envelope, meta = {}) => {
    if (envelope[0] !== SENSOR_KIND_BYTE) return 'not-collected';
    const header = decodeSensorHeader(envelope);
    if (!header.ok || !collector.knows(toHex(header.value.sensorId))) return 'not-collected';
    const result = collector.accept(envelope, meta);
    const source = sources.get(toHex(header.value.sensorId))!.name;
    if (result.ok) {
      deps.log.debug('sensor readings stored', { source, readings: result.stored });
      return 'handled';
    }
    deps.log.warn('sensor envelope refused', { source, reason: result.reason });
    // Forged or replayed envelopes are acknowledged: they can never be stored, a retry only costs airtime.
    return ORIGIN_REFUSED.has(result.reason) ? 'unacknowledged' : 'handled';
  };
  const ids = new Map([...sources].map(([id, source]) => [source.name, id]));
  return { view: { readings, source: (id) => sources.get(id), sensorIdOf: (name) => ids.get(name) }, deliver };
}

function logBoardEvent(log: Logger, port: string, event: BoardEvent): void {
  switch (event.kind) {
    case 'lost':
      log.error('sensor board lost: reconnecting (readings resume when it answers)', { port, reason: event.reason, retryInMs: event.retryInMs });
      break;
    case 'retry-failed':
      log.warn('sensor board still not answering', { port, attempt: event.attempt, error: event.error, retryInMs: event.retryInMs });
      break;
    case 'back':
      log.info('sensor board reconnected', { port, attempts: event.attempt });
      break;
  }
}

async function startRelay(config: SensorRelayConfig, deps: SensorRoleDeps): Promise<{ relay: SensorRelay; board: ReconnectingSensorBoard }> {
  const board = await ReconnectingSensorBoard.open({
    open: (onLost) => openSensorBoard(deps.openSensorIo(config.port, config.baudRate), config.sensors, deps.boardTimeoutMs, onLost),
    clock: deps.clock,
    onEvent: (event) => logBoardEvent(deps.log, config.port, event),
    ...(deps.boardRetryMs !== undefined ? { firstRetryMs: deps.boardRetryMs } : {}),
  });
  const collector = fromHex(config.collector)!;
  const collectorKey = config.collectorKeyHex === undefined ? undefined : fromHex(config.collectorKeyHex)!;
  if (!collectorKey) {
    deps.log.warn('sensors.collector gives the collector\'s node id only, not its key: beyond one hop the readings go without an authenticated origin, and any node on the path can acknowledge them (the sensor then drops them as delivered); give its nodeKey (64 hex, `meow status --json` on the collector)', { collector: config.collector });
  }
  const relay = new SensorRelay({
    board, suite: deps.suite, key: fromHex(config.keyHex)!, clock: deps.clock,
    counter: new FileSensorCounter(join(deps.dataDir, 'sensor-counter')),
    pending: new SqlitePendingReadings(deps.store.database()),
    send: async (envelope) => {
      await deps.sendDirect(collector, envelope, collectorKey);
    },
    sampleEveryMs: config.sampleEveryMs,
    samplesPerEnvelope: config.samplesPerEnvelope,
    onError: (error) => deps.log.warn('sensor batch not sent (its readings stay pending)', { error: (error as Error).message }),
    onDropped: (readings) => deps.log.warn('sensor readings dropped: too many unsent', { readings }),
  });
  relay.start();
  deps.log.info('sensor relay started', {
    port: config.port, sensors: config.sensors.map((s) => s.name), collector: config.collector, authenticated: collectorKey !== undefined,
    pendingReadings: relay.pendingReadings(),
  });
  return { relay, board };
}

export async function startSensorRole(
  config: { readonly sensors?: SensorRelayConfig; readonly collector?: CollectorConfig }, deps: SensorRoleDeps,
): Promise<SensorRole> {
  const collector = config.collector ? startCollector(config.collector, deps) : undefined;
  const relay = config.sensors ? await startRelay(config.sensors, deps) : undefined;
  return {
    ...(collector ? { collector: collector.view } : {}),
    deliver: (envelope, meta) => collector?.deliver(envelope, meta) ?? 'not-collected',
    relayStats: () => relay?.relay.stats(),
    stop: () => {
      // Readings sampled and not yet sent stay in node.db: the next start sends them.
      relay?.relay.stop();
      relay?.board.close();
    },
  };
}
