/**
 * State shared by the router's parts (router.ts wires them): identity,
 * config, counters, tables, the duplicate cache, and the two actions every
 * part needs: transmit a frame on every link and set a timer that close()
 * cancels. One RouterCore per node: nothing is module-level (STYLE.md rule 8).
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { DuplicateCache } from '../../protocol/mesh/dedup.ts';
import { destHintOf, relayHintOf } from '../../protocol/mesh/node-id.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { Link } from '../../seams/link.ts';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import { RecentAirtime } from './recent-airtime.ts';
import { NeighbourTable, RouteTable, ServerCatalog } from './tables.ts';
import type { RouterConfig, RouterCounters, RouterLogger, TransmitQueue, TxPriority } from './types.ts';

/** What the router remembers about a frame id it has verified. */
export interface SeenFrame {
  /** Hop counter of the first copy heard. */
  readonly firstHops: number;
  /** A routed frame reached this node's place in its route (as relay or destination). */
  handled?: boolean;
  /** Copies heard after the first (rebroadcasts by neighbours). */
  copiesHeard: number;
  /** A flood relay waiting in its contention window (router cancels it when suppressed). */
  relayTxId?: string;
  relaySent?: boolean;
  /** Rebroadcasts heard that cancel the waiting relay. */
  suppressAt?: number;
  /** A routed frame this node sent or forwarded, waiting to hear the next hop carry it. */
  hopWait?: HopWait;
  /** This node is the destination: what to send again when a duplicate shows the ack was lost. */
  reAck?: () => void;
  reAcks?: number;
}

export interface HopWait {
  /** Hop counter this node put in the frame. */
  readonly sentHops: number;
  readonly bytes: Uint8Array;
  readonly priority: TxPriority;
  retries: number;
  timer?: TimerHandle;
  done: boolean;
  /** Ack key that also proves progress (last relay before the destination). */
  readonly ackKey?: number;
  /** Called once when the hop is settled (progress heard, or retries spent). */
  onDone?: () => void;
}

export interface RouterCore {
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly log: RouterLogger;
  readonly cfg: RouterConfig;
  readonly meshKey: Uint8Array;
  readonly nodeId: Uint8Array;
  readonly nodeIdHex: string;
  readonly destHint: number;
  readonly relayHint: number;
  readonly links: readonly Link[];
  readonly queues: readonly TransmitQueue[];
  readonly counters: RouterCounters;
  readonly seen: DuplicateCache<SeenFrame>;
  /** Pending flood relays of direct data frames by message key: the destination's ack cancels them. */
  readonly floodsByKey: Map<number, SeenFrame>;
  /** Hop waits that the destination's ack (by acked key) also ends: the last relay's and a 1-hop source's. */
  readonly ackWaits: Map<number, HopWait>;
  readonly routes: RouteTable;
  readonly neighbours: NeighbourTable;
  readonly catalog: ServerCatalog;
  /** Largest frame every link carries. */
  readonly mtu: number;
  closed: boolean;
  /** Most relays any flood crossed before reaching this node: a lower bound on the mesh's depth. */
  deepestFloodHops: number;
  after(delayMs: number, fn: () => void): TimerHandle;
  /** Enqueues one frame on every link; onSent runs once, after the first link sent it. */
  transmit(id: string, bytes: Uint8Array, priority: TxPriority, notBeforeMs?: number, onSent?: () => void): boolean;
  cancel(id: string): boolean;
  airtimeMs(bytes: number): number;
  /** Highest channel use any link measures, 0..1 (a one-minute window on radios). */
  channelUse(): number;
  /** Share of the last `recentUseWindowMs` taken by frames decoded here from other nodes (recent-airtime.ts). */
  recentHeardUse(): number;
  /** Records a frame decoded here for recentHeardUse(). */
  noteHeard(frameBytes: number): void;
  /** Uniform float in [0, 1) from the injected random source. */
  uniform(): number;
  cancelAllTimers(): void;
}

export function createCore(p: {
  suite: CryptoSuite; clock: Clock; random: RandomSource; log: RouterLogger; cfg: RouterConfig; meshKey: Uint8Array;
  nodeId: Uint8Array; links: readonly Link[]; queues: readonly TransmitQueue[]; counters: RouterCounters;
}): RouterCore {
  const timers = new Set<TimerHandle>();
  const recentHeard = new RecentAirtime(p.cfg.recentUseWindowMs);
  const core: RouterCore = {
    ...p,
    nodeIdHex: toHex(p.nodeId),
    destHint: destHintOf(p.nodeId),
    relayHint: relayHintOf(p.nodeId),
    seen: new DuplicateCache<SeenFrame>({ maxEntries: 16384, maxAgeMs: 30 * 60_000 }),
    ackWaits: new Map(),
    floodsByKey: new Map(),
    routes: new RouteTable(p.cfg.routeTtlMs),
    neighbours: new NeighbourTable(),
    catalog: new ServerCatalog(),
    mtu: Math.min(...p.links.map((l) => l.mtu)),
    closed: false,
    deepestFloodHops: 0,
    after(delayMs, fn) {
      const handle: TimerHandle = p.clock.setTimer(delayMs, () => {
        timers.delete(wrapper);
        if (!core.closed) fn();
      });
      const wrapper: TimerHandle = { cancel: () => { timers.delete(wrapper); handle.cancel(); } };
      timers.add(wrapper);
      return wrapper;
    },
    transmit(id, bytes, priority, notBeforeMs, onSent) {
      if (core.closed) return false;
      let sent = false;
      let accepted = false;
      const once = (): void => {
        if (sent) return;
        sent = true;
        p.counters.framesSent++;
        onSent?.();
      };
      for (const q of p.queues) {
        accepted = q.enqueue({ id, bytes, priority, ...(notBeforeMs !== undefined && { notBeforeMs }), onSent: once }) || accepted;
      }
      return accepted;
    },
    cancel(id) {
      let any = false;
      for (const q of p.queues) any = q.cancel(id) || any;
      return any;
    },
    channelUse() {
      let use = 0;
      for (const q of p.queues) use = Math.max(use, q.channelUse?.() ?? 0);
      return use;
    },
    recentHeardUse() {
      return recentHeard.use(p.clock.now());
    },
    noteHeard(n) {
      recentHeard.note(p.clock.now(), core.airtimeMs(n));
    },
    airtimeMs(n) {
      return Math.max(...p.links.map((l) => l.airtimeMs(n)));
    },
    uniform() {
      const b = p.random.bytes(4);
      return ((((b[0] as number) << 24) >>> 0) + ((b[1] as number) << 16) + ((b[2] as number) << 8) + (b[3] as number)) / 2 ** 32;
    },
    cancelAllTimers() {
      for (const t of [...timers]) t.cancel();
    },
  };
  return core;
}
