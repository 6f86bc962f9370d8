/** Formats simulator results: a table for people, one JSON object per line for machines. */
import type { RouterReport } from './metrics.ts';
import type { Scenario } from './scenario.ts';

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** The JSON contract of issue 3 (required keys first), plus a few extras. */
export function toJsonLine(r: RouterReport): string {
  return JSON.stringify({
    router: r.router,
    nodes: r.nodes,
    directDelivery: round(r.directDelivery, 4),
    broadcastDelivery: round(r.broadcastDelivery, 4),
    latencyP50Ms: Math.round(r.latencyP50Ms),
    latencyP95Ms: Math.round(r.latencyP95Ms),
    txPerDelivered: round(r.txPerDelivered, 2),
    airtimePerDeliveredMs: Math.round(r.airtimePerDeliveredMs),
    channelUsePeak: round(r.channelUsePeak, 4),
    channelUseMean: round(r.channelUseMean, 4),
    nodesUnder25Percent: round(r.nodesUnder25Percent, 4),
    directSent: r.directSent,
    directDelivered: r.directDelivered,
    transmissions: r.transmissions,
    collisions: r.collisions,
    honestDirectDelivery: round(r.directDelivery, 4),
    forgedBroadcastsStored: r.forgedBroadcastsStored,
    forgedOrJunkRefused: r.forgedBroadcastsRefused,
    ...(r.hostileFrames > 0 && { hostileFrames: r.hostileFrames }),
    ...(r.clean && {
      cleanDirectDelivery: round(r.clean.directDelivery, 4), cleanLatencyP50Ms: Math.round(r.clean.latencyP50Ms), cleanLatencyP95Ms: Math.round(r.clean.latencyP95Ms),
    }),
    wallClockMs: Math.round(r.wallClockMs),
    peakRssMb: Math.round(r.peakRssMb),
    ...(Object.keys(r.counters).length > 0 && { counters: r.counters }),
  });
}

export function formatTable(reports: readonly RouterReport[], s: Scenario): string {
  const o = s.options;
  const lines = [
    `${s.topology.nodes.length} nodes, loss ${o.loss}, seed ${o.seed}: ${o.directMessages} direct messages and ${o.broadcasts} broadcasts over ${o.durationMs / 1000} s`,
    'router          direct  bcast   p50 ms   p95 ms  tx/deliv  airtime/deliv ms  chan peak  chan mean  peak<25%  wall s  peak MiB',
  ];
  for (const r of reports) {
    lines.push([
      r.router.padEnd(14),
      pct(r.directDelivery).padStart(7),
      pct(r.broadcastDelivery).padStart(6),
      String(Math.round(r.latencyP50Ms)).padStart(8),
      String(Math.round(r.latencyP95Ms)).padStart(8),
      r.txPerDelivered.toFixed(1).padStart(9),
      String(Math.round(r.airtimePerDeliveredMs)).padStart(17),
      pct(r.channelUsePeak).padStart(10),
      pct(r.channelUseMean).padStart(10),
      pct(r.nodesUnder25Percent).padStart(9),
      (r.wallClockMs / 1000).toFixed(1).padStart(7),
      String(Math.round(r.peakRssMb)).padStart(9),
    ].join(' '));
  }
  if (reports.some((r) => r.clean)) {
    lines.push(`${s.hostile.length} hostile nodes (${[...new Set(s.hostile.map((h) => h.kind))].join(', ')}); honest users' direct delivery and latency, without them -> with them:`);
    for (const r of reports) {
      if (!r.clean) continue;
      lines.push(`  ${r.router.padEnd(14)} direct ${pct(r.clean.directDelivery)} -> ${pct(r.directDelivery)}, p95 ${Math.round(r.clean.latencyP95Ms)} -> ${Math.round(r.latencyP95Ms)} ms, forged broadcasts stored ${r.forgedBroadcastsStored} (refused ${r.forgedBroadcastsRefused}), hostile frames ${r.hostileFrames}`);
    }
  }
  lines.push('(peak<25%: share of nodes whose busiest minute stayed under 25 % channel use; wall s: simulation time of that row; peak MiB: the process\'s peak resident memory so far)');
  const meow = reports.find((r) => r.router === 'meow');
  const naive = reports.find((r) => r.router === 'naive-flood');
  if (meow && naive && naive.txPerDelivered > 0) {
    lines.push(`meow spends ${pct(meow.txPerDelivered / naive.txPerDelivered)} of naive flooding's transmissions per delivered message`);
  }
  return lines.join('\n');
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}
