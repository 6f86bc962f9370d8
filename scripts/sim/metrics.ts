/**
 * What `npm run sim` reports per router (issue 3): delivery ratios, latency
 * percentiles, cost per delivered message and channel use.
 *
 *  directDelivery     direct messages that reached their destination node / sent
 *  broadcastDelivery  (broadcast, other node) pairs delivered / (broadcasts * (nodes - 1))
 *  latency p50 / p95  send to first delivery at the destination, direct messages delivered
 *  txPerDelivered     every transmission of the run (data, relays, acks, retries, announces)
 *                     / delivered messages, a broadcast counting as the fraction of nodes it reached
 *  airtimePerDeliveredMs  same with time on air
 *  channelUseMean     mean over nodes of the busy fraction (own + heard) over the warm-up and traffic period
 *  channelUsePeak     highest one-minute sliding-window busy fraction at any node
 */
import type { TrafficEvent } from './traffic.ts';

export interface RouterReport {
  router: string;
  nodes: number;
  directDelivery: number;
  broadcastDelivery: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  txPerDelivered: number;
  airtimePerDeliveredMs: number;
  channelUsePeak: number;
  channelUseMean: number;
  /** Share of nodes whose busiest minute stayed under 25 % channel use. */
  nodesUnder25Percent: number;
  /** Extras (not part of the JSON contract's required keys). */
  directSent: number;
  directDelivered: number;
  transmissions: number;
  collisions: number;
  wallClockMs: number;
  /** The process's peak resident memory so far (this run and those before it in the process), MiB. */
  peakRssMb: number;
  /** Forged broadcasts (hostile forgers') the nodes' stores accepted / refused, (node, envelope) pairs. */
  forgedBroadcastsStored: number;
  forgedBroadcastsRefused: number;
  /** Frames the hostile nodes sent (0 without --hostile). */
  hostileFrames: number;
  /** The same router on the same scenario without the hostile nodes (with --hostile only). */
  clean?: { directDelivery: number; latencyP50Ms: number; latencyP95Ms: number };
  /** Our router's counters summed over nodes (empty for the baselines). */
  counters: Record<string, number>;
}

export class DeliveryLog {
  private readonly deliveredAt = new Map<number, number>();
  private readonly broadcastReach = new Map<number, Set<number>>();

  constructor(private readonly traffic: readonly TrafficEvent[]) {}

  /** Node `node` delivered message `index` at `atMs`. */
  record(index: number | undefined, node: number, atMs: number): void {
    if (index === undefined) return;
    const e = this.traffic[index];
    if (!e) return;
    if (e.to === undefined) {
      if (node === e.from) return;
      let set = this.broadcastReach.get(index);
      if (!set) this.broadcastReach.set(index, (set = new Set()));
      set.add(node);
    } else if (node === e.to && !this.deliveredAt.has(index)) {
      this.deliveredAt.set(index, atMs);
    }
  }

  summarise(p: {
    router: string; nodes: number; transmissions: number; airtimeMs: number; collisions: number;
    channelUsePeak: number; channelUseMean: number; wallClockMs: number; peakRssMb?: number; forgedBroadcastsStored?: number; forgedBroadcastsRefused?: number; hostileFrames?: number; counters: Record<string, number>;
    nodesUnder25Percent?: number;
  }): RouterReport {
    const latencies: number[] = [];
    let directSent = 0;
    let broadcasts = 0;
    let reach = 0;
    for (const e of this.traffic) {
      if (e.to === undefined) {
        broadcasts++;
        reach += (this.broadcastReach.get(e.index)?.size ?? 0) / Math.max(1, p.nodes - 1);
        continue;
      }
      directSent++;
      const at = this.deliveredAt.get(e.index);
      if (at !== undefined) latencies.push(at - e.atMs);
    }
    latencies.sort((a, b) => a - b);
    const delivered = latencies.length + reach;
    return {
      router: p.router,
      nodes: p.nodes,
      directDelivery: directSent > 0 ? latencies.length / directSent : 1,
      broadcastDelivery: broadcasts > 0 ? reach / broadcasts : 1,
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP95Ms: percentile(latencies, 0.95),
      txPerDelivered: delivered > 0 ? p.transmissions / delivered : 0,
      airtimePerDeliveredMs: delivered > 0 ? p.airtimeMs / delivered : 0,
      channelUsePeak: p.channelUsePeak,
      channelUseMean: p.channelUseMean,
      nodesUnder25Percent: p.nodesUnder25Percent ?? 1,
      directSent,
      directDelivered: latencies.length,
      transmissions: p.transmissions,
      collisions: p.collisions,
      wallClockMs: p.wallClockMs,
      peakRssMb: p.peakRssMb ?? 0,
      forgedBroadcastsStored: p.forgedBroadcastsStored ?? 0,
      forgedBroadcastsRefused: p.forgedBroadcastsRefused ?? 0,
      hostileFrames: p.hostileFrames ?? 0,
      counters: p.counters,
    };
  }
}

/** Nearest-rank percentile of sorted values (0 when empty). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
