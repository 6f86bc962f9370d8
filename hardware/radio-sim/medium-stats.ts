/** Run statistics of the simulated medium: what `npm run sim` reports about the channel. */
import type { BusyTimeline } from './busy-timeline.ts';

export interface NodeRadioCounters {
  framesSent: number;
  /** Own time on air, ms. */
  airtimeMs: number;
  framesReceived: number;
  /** Decodable frames lost here because another frame overlapped them. */
  collisions: number;
  /** Decodable frames lost here because this node was transmitting. */
  halfDuplexLosses: number;
  /** Decodable, undamaged frames dropped by the configured random loss. */
  randomLosses: number;
}

export interface NodeMediumStats extends NodeRadioCounters {
  readonly id: string;
  /** Busy fraction over the whole run (own transmissions + frames heard). */
  channelUseMean: number;
  /** Highest sliding-window busy fraction during the run. */
  channelUsePeak: number;
}

export interface MediumStats {
  transmissions: number;
  /** Sum of every node's time on air, ms. */
  airtimeMs: number;
  collisions: number;
  halfDuplexLosses: number;
  randomLosses: number;
  framesReceived: number;
  /** Mean over nodes of their mean channel use, 0..1. */
  channelUseMean: number;
  /** Highest per-node peak channel use, 0..1. */
  channelUsePeak: number;
  /** Simulated time covered, ms. */
  durationMs: number;
  perNode: NodeMediumStats[];
}

export function summariseMedium(
  nodes: readonly { id: string; counters: NodeRadioCounters; timeline: BusyTimeline }[],
  run: { transmissions: number; originMs: number; nowMs: number; windowMs: number },
): MediumStats {
  const durationMs = run.nowMs - run.originMs;
  const perNode = nodes.map((n): NodeMediumStats => ({
    id: n.id,
    ...n.counters,
    channelUseMean: durationMs > 0 ? n.timeline.busyWithin(run.originMs, run.nowMs) / durationMs : 0,
    channelUsePeak: n.timeline.peakUtilisation(run.windowMs, run.originMs, run.nowMs),
  }));
  const sum = (f: (s: NodeMediumStats) => number): number => perNode.reduce((acc, s) => acc + f(s), 0);
  return {
    transmissions: run.transmissions,
    airtimeMs: sum((s) => s.airtimeMs),
    collisions: sum((s) => s.collisions),
    halfDuplexLosses: sum((s) => s.halfDuplexLosses),
    randomLosses: sum((s) => s.randomLosses),
    framesReceived: sum((s) => s.framesReceived),
    channelUseMean: perNode.length > 0 ? sum((s) => s.channelUseMean) / perNode.length : 0,
    channelUsePeak: perNode.reduce((m, s) => Math.max(m, s.channelUsePeak), 0),
    durationMs,
    perNode,
  };
}
