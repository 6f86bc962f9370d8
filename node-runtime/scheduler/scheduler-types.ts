/**
 * The transmit scheduler's vocabulary: what a caller offers, why a frame
 * can be shed, the tunable limits and their defaults, and the stats.
 */
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock } from '../../seams/clock.ts';
import type { Link } from '../../seams/link.ts';
import type { ChannelMonitor } from '../../seams/channel-monitor.ts';
import type { BudgetUsage, DutyCycleLimiter } from './duty-cycle.ts';
import type { TransmitPriority, TxRequest } from './transmit-queue.ts';

/** A frame offered to the scheduler: the request every transmit queue takes. */
export type OutgoingFrame = TxRequest;

/** Why an accepted frame was given up. */
export type ShedReason =
  | 'queue-full' // evicted to make room for a higher priority
  | 'expired' // waited longer than its priority's maxWaitMs
  | 'congested' // expired while held by the channel-use rule
  | 'airtime-limit' // longer than the region allows a single frame or a whole budget
  | 'send-failed' // the link rejected it
  | 'closed'; // the scheduler (or its link) closed

export interface SchedulerLimits {
  maxQueued: Record<TransmitPriority, number>;
  maxQueuedTotal: number;
  maxWaitMs: Record<TransmitPriority, number>;
  politeChannelUse: number;
  congestedChannelUse: number;
  /** Longest random extra delay of a flood relay in polite mode, ms. */
  politeRelayDelayMs: number;
  /**
   * Fraction of every duty-cycle / dwell budget that relay and bulk frames
   * may not use, kept for acks and direct traffic (0.1): a node whose hour
   * is nearly spent still acknowledges and sends its own messages.
   */
  dutyCycleReserve: number;
  /** How often a frame held by the channel-use rule looks again, ms. */
  holdRecheckMs: number;
  /** Listen-before-talk slot, ms (default: a tenth of the airtime of a 1-byte frame, about 3 LoRa symbols). */
  backoffSlotMs: number;
  minContentionSlots: number;
  maxContentionSlots: number;
}

export const defaultSchedulerLimits: Omit<SchedulerLimits, 'backoffSlotMs'> = {
  maxQueued: { ack: 32, direct: 64, relay: 64, bulk: 32 },
  maxQueuedTotal: 160,
  maxWaitMs: { ack: 30_000, direct: 600_000, relay: 60_000, bulk: 600_000 },
  politeChannelUse: 0.25,
  congestedChannelUse: 0.4,
  politeRelayDelayMs: 2_000,
  dutyCycleReserve: 0.1,
  holdRecheckMs: 5_000,
  minContentionSlots: 4,
  maxContentionSlots: 64,
};

export interface SentInfo {
  readonly startMs: number;
  readonly airtimeMs: number;
}

export interface TransmitSchedulerOptions {
  link: Link;
  clock: Clock;
  random: RandomSource;
  /** Region law; unlimited by default (say so explicitly in production). */
  dutyCycle?: DutyCycleLimiter;
  /** Carrier sense and channel use; a never-busy channel by default. */
  channelMonitor?: ChannelMonitor;
  limits?: Partial<SchedulerLimits>;
  onShed?: (frame: OutgoingFrame, reason: ShedReason) => void;
  onSent?: (frame: OutgoingFrame, info: SentInfo) => void;
  /**
   * Consider a frame gone after link.airtimeMs() on the clock rather than
   * when send() resolves. For callback-only simulation (SimClock.runUntilSync
   * settles no promise until it returns); a send() that rejects before then
   * still sheds the frame as 'send-failed'. Default false.
   */
  completeOnAirtime?: boolean;
}

export interface SchedulerStats {
  queued: Record<TransmitPriority, number>;
  queuedTotal: number;
  sent: Record<TransmitPriority, number>;
  shed: Record<ShedReason, number>;
  cancelled: number;
  /** enqueue() calls answered false. */
  refused: number;
  /** Own time on air through this scheduler, ms. */
  airtimeMs: number;
  dutyCycle: BudgetUsage[];
  /** Highest budget fraction in use now (0..1; 0 when unlimited). */
  dutyCycleUse: number;
  channelUse: number;
  /** Times a frame waited for the duty cycle / for carrier sense / for the channel-use rule. */
  dutyCycleWaits: number;
  carrierSenseBackoffs: number;
  politeHolds: number;
}

/** go: send now; wait: nothing can be sent before untilMs; next: look at the next head (this one moved or left). */
