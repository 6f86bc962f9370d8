/**
 * The transmit scheduler: the only way a node's frames reach a Link. It
 * decides what goes on air next and when, so that a node
 *  - sends acknowledgements before user traffic before flood relays before
 *    bulk (announces, sync), from bounded queues;
 *  - never exceeds its region's duty cycle or dwell time (duty-cycle.ts):
 *    a frame that would is held until it fits, never sent early;
 *  - is polite on a busy channel: measured channel use (own + heard) above
 *    `politeChannelUse` (25 %, Meshtastic's "polite" level) holds bulk and
 *    adds a random delay to flood relays; above `congestedChannelUse`
 *    (40 %, Meshtastic's ceiling) relays are held too. Held frames that wait
 *    longer than their priority's `maxWaitMs` are shed;
 *  - listens before talking: with the channel busy it backs off a random
 *    number of slots (backoff.ts).
 *
 * Every frame enqueue() accepted ends in exactly one of: sent (onSent),
 * shed (onShed, with a reason) or cancelled by cancel(). Nothing is dropped
 * silently, so the durable outbox re-offers what was shed; a frame refused
 * by enqueue() (false) was never accepted. One frame is on air at a time.
 */
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import { LinkClosedError, type Link } from '../../seams/link.ts';
import { ContentionWindow, randomBelow } from './backoff.ts';
import { quietChannel, type ChannelMonitor } from '../../seams/channel-monitor.ts';
import { DutyCycleLimiter } from './duty-cycle.ts';
import { SchedulerError } from './errors.ts';
import {
  defaultSchedulerLimits, type OutgoingFrame, type SchedulerLimits, type SchedulerStats, type SentInfo, type ShedReason,
  type TransmitSchedulerOptions,
} from './scheduler-types.ts';
import { PriorityLanes, type QueuedFrame } from './priority-lanes.ts';
import { priorityOrder, type TransmitPriority, type TransmitQueue } from './transmit-queue.ts';

export type { TransmitPriority } from './transmit-queue.ts';
export {
  defaultSchedulerLimits, type OutgoingFrame, type SchedulerLimits, type SchedulerStats, type SentInfo, type ShedReason,
  type TransmitSchedulerOptions,
} from './scheduler-types.ts';

type Gate = { kind: 'go' } | { kind: 'wait'; untilMs: number } | { kind: 'next' };

/** The two gates without data, shared: gate() runs for every frame sent. */
const GO: Gate = Object.freeze({ kind: 'go' });
const NEXT: Gate = Object.freeze({ kind: 'next' });

/**
 * One transmission, from link.send() to its one outcome. A record handled
 * by the scheduler's methods rather than a pair of named closures per
 * frame: the nodes run through tsx, whose esbuild transform renames each
 * named closure with Object.defineProperty every time it is created.
 */
interface OnAir {
  readonly frame: QueuedFrame;
  /** The scheduler's transmission counter at the start: a late outcome of an older one changes nothing. */
  readonly token: number;
  readonly startMs: number;
  readonly airtimeMs: number;
  settled: boolean;
}

export class TransmitScheduler implements TransmitQueue {
  private readonly link: Link;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly dutyCycle: DutyCycleLimiter;
  private readonly channel: ChannelMonitor;
  private readonly limits: SchedulerLimits;
  private readonly onShed: ((frame: OutgoingFrame, reason: ShedReason) => void) | undefined;
  private readonly onSent: ((frame: OutgoingFrame, info: SentInfo) => void) | undefined;
  private readonly completeOnAirtime: boolean;
  /** Incremented per transmission, so a late callback of an old one changes nothing. */
  private transmission = 0;
  private readonly queue: PriorityLanes;
  private readonly contention: ContentionWindow;
  private onAir = false;
  private closed = false;
  private wakeTimer: TimerHandle | undefined;
  private wakeAtMs = Number.POSITIVE_INFINITY;
  private backoffUntilMs = Number.NEGATIVE_INFINITY;
  private pumping = false;
  private repump = false;
  private readonly counters = {
    sent: { ack: 0, direct: 0, relay: 0, bulk: 0 } as Record<TransmitPriority, number>,
    shed: { 'queue-full': 0, expired: 0, congested: 0, 'airtime-limit': 0, 'send-failed': 0, closed: 0 } as Record<ShedReason, number>,
    cancelled: 0, refused: 0, airtimeMs: 0, dutyCycleWaits: 0, carrierSenseBackoffs: 0, politeHolds: 0,
  };

  constructor(options: TransmitSchedulerOptions) {
    this.link = options.link;
    this.clock = options.clock;
    this.random = options.random;
    this.dutyCycle = options.dutyCycle ?? DutyCycleLimiter.unlimited();
    this.channel = options.channelMonitor ?? quietChannel;
    this.onShed = options.onShed;
    this.onSent = options.onSent;
    this.completeOnAirtime = options.completeOnAirtime ?? false;
    this.limits = {
      ...defaultSchedulerLimits,
      backoffSlotMs: Math.max(1, this.link.airtimeMs(1) / 10),
      ...options.limits,
      maxQueued: { ...defaultSchedulerLimits.maxQueued, ...options.limits?.maxQueued },
      maxWaitMs: { ...defaultSchedulerLimits.maxWaitMs, ...options.limits?.maxWaitMs },
    };
    const l = this.limits;
    if (!(l.politeChannelUse > 0 && l.politeChannelUse <= l.congestedChannelUse && l.backoffSlotMs > 0)) {
      throw new SchedulerError('invalid-option', 'need 0 < politeChannelUse <= congestedChannelUse and backoffSlotMs > 0');
    }
    if (!(l.dutyCycleReserve >= 0 && l.dutyCycleReserve < 1)) throw new SchedulerError('invalid-option', 'need 0 <= dutyCycleReserve < 1');
    this.queue = new PriorityLanes(l.maxQueued, l.maxQueuedTotal);
    this.contention = new ContentionWindow(l.minContentionSlots, l.maxContentionSlots);
  }

  /**
   * Offers a frame. true: accepted (it will be sent, shed or cancelled).
   * false: refused now (queue full for its priority, duplicate id, closed).
   * Throws SchedulerError for a frame larger than the link's mtu.
   */
  enqueue(frame: OutgoingFrame): boolean {
    if (frame.bytes.length > this.link.mtu) {
      throw new SchedulerError('frame-too-large', `frame ${frame.id} of ${frame.bytes.length} bytes exceeds mtu ${this.link.mtu}`);
    }
    const now = this.clock.now();
    const evicted = this.closed ? undefined : this.queue.add({
      id: frame.id, bytes: frame.bytes, priority: frame.priority, notBeforeMs: frame.notBeforeMs ?? now,
      enqueuedAtMs: now, politeDelayed: false, onSent: frame.onSent,
    });
    if (!evicted) {
      this.counters.refused++;
      return false;
    }
    for (const f of evicted) this.shed(f, 'queue-full');
    this.pump();
    return true;
  }

  /** Removes a queued frame (not one already on air). True when it was queued. */
  cancel(id: string): boolean {
    if (!this.queue.remove(id)) return false;
    this.counters.cancelled++;
    this.pump();
    return true;
  }

  isQueued(id: string): boolean {
    return this.queue.has(id);
  }

  /** Frames queued (not counting the one on air). */
  depth(): number {
    return this.queue.size;
  }

  /** Stops: every queued frame is shed with 'closed'. The link stays open (it is not ours). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wakeTimer?.cancel();
    for (const f of this.queue.all()) {
      this.queue.remove(f.id);
      this.shed(f, 'closed');
    }
  }

  stats(): SchedulerStats {
    const now = this.clock.now();
    const dutyCycle = this.dutyCycle.usage(now);
    const queued = { ack: 0, direct: 0, relay: 0, bulk: 0 };
    for (const p of priorityOrder) queued[p] = this.queue.depth(p);
    return {
      queued, queuedTotal: this.queue.size, sent: { ...this.counters.sent }, shed: { ...this.counters.shed },
      cancelled: this.counters.cancelled, refused: this.counters.refused, airtimeMs: this.counters.airtimeMs,
      dutyCycle, dutyCycleUse: dutyCycle.reduce((m, u) => Math.max(m, u.fraction), 0), channelUse: this.channel.channelUse(),
      dutyCycleWaits: this.counters.dutyCycleWaits, carrierSenseBackoffs: this.counters.carrierSenseBackoffs,
      politeHolds: this.counters.politeHolds,
    };
  }

  private shed(f: QueuedFrame, reason: ShedReason): void {
    this.counters.shed[reason]++;
    this.onShed?.({ id: f.id, bytes: f.bytes, priority: f.priority }, reason);
  }

  /**
   * Decides what to do now; at most one frame on air; otherwise sleeps until
   * the next thing can change. Callbacks (onShed) may enqueue, cancel or
   * close from inside: such a nested call only asks for another pass.
   */
  private pump(): void {
    if (this.pumping) {
      this.repump = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.repump = false;
        this.pumpOnce();
      } while (this.repump);
    } finally {
      this.pumping = false;
    }
  }

  private pumpOnce(): void {
    if (this.onAir || this.closed) return;
    const now = this.clock.now();
    const use = this.channel.channelUse();
    this.expire(now, use);
    for (let f = this.queue.head(now); f !== undefined && !this.closed; f = this.queue.head(now)) {
      const gate = this.gate(f, now, use);
      if (gate.kind === 'wait') {
        this.sleepUntil(gate.untilMs);
        return;
      }
      if (gate.kind === 'go') {
        this.transmit(f, now);
        return;
      }
    }
    this.sleepUntil(this.nextNotBefore(now));
  }

  /** Sheds frames that waited too long; a frame held by the channel-use rule is 'congested'. */
  private expire(now: number, use: number): void {
    for (const p of priorityOrder) {
      for (let f = this.queue.oldest(p); f !== undefined && now - f.enqueuedAtMs >= this.limits.maxWaitMs[p]; f = this.queue.oldest(p)) {
        this.queue.remove(f.id);
        this.shed(f, this.heldByChannelUse(p, use) ? 'congested' : 'expired');
      }
    }
  }

  private heldByChannelUse(p: TransmitPriority, use: number): boolean {
    if (p === 'bulk') return use > this.limits.politeChannelUse;
    if (p === 'relay') return use > this.limits.congestedChannelUse;
    return false;
  }

  /** Channel-use rule, then duty cycle, then carrier sense. */
  private gate(f: QueuedFrame, now: number, use: number): Gate {
    if (this.heldByChannelUse(f.priority, use)) {
      this.counters.politeHolds++;
      return { kind: 'wait', untilMs: now + this.limits.holdRecheckMs };
    }
    if (f.priority === 'relay' && use > this.limits.politeChannelUse && !f.politeDelayed) {
      f.politeDelayed = true;
      f.notBeforeMs = now + randomBelow(this.random, this.limits.politeRelayDelayMs + 1);
      if (f.notBeforeMs > now) {
        this.counters.politeHolds++;
        return NEXT;
      }
    }
    const airtimeMs = this.link.airtimeMs(f.bytes.length);
    const background = f.priority === 'relay' || f.priority === 'bulk';
    const decision = this.dutyCycle.check(now, airtimeMs, background ? this.limits.dutyCycleReserve : 0);
    if (!decision.allowed) {
      if (decision.retryAtMs === undefined) {
        this.queue.remove(f.id);
        this.shed(f, 'airtime-limit');
        return NEXT;
      }
      this.counters.dutyCycleWaits++;
      return { kind: 'wait', untilMs: decision.retryAtMs };
    }
    // A backoff already drawn runs its course (new arrivals do not redraw or widen it).
    if (now < this.backoffUntilMs) return { kind: 'wait', untilMs: this.backoffUntilMs };
    if (this.channel.channelBusy()) {
      this.counters.carrierSenseBackoffs++;
      this.backoffUntilMs = now + this.contention.nextSlots(this.random) * this.limits.backoffSlotMs;
      return { kind: 'wait', untilMs: this.backoffUntilMs };
    }
    return GO;
  }

  private transmit(f: QueuedFrame, now: number): void {
    this.queue.remove(f.id);
    const airtimeMs = this.link.airtimeMs(f.bytes.length);
    this.dutyCycle.record(now, airtimeMs);
    this.contention.reset();
    this.onAir = true;
    this.counters.airtimeMs += airtimeMs;
    const air: OnAir = { frame: f, token: ++this.transmission, startMs: now, airtimeMs, settled: false };
    let sending: Promise<void>;
    try {
      sending = this.link.send(f.bytes);
    } catch (e) {
      sending = Promise.reject(e); // a link that throws instead of rejecting still costs only this frame
    }
    sending.then(() => {
      if (!this.completeOnAirtime) this.sent(air);
    }, (e: unknown) => this.failed(air, e));
    if (this.completeOnAirtime) this.clock.setTimer(airtimeMs, () => this.sent(air));
  }

  private sent(air: OnAir): void {
    if (air.settled) return;
    air.settled = true;
    if (air.token === this.transmission) this.onAir = false;
    const f = air.frame;
    this.counters.sent[f.priority]++;
    this.onSent?.({ id: f.id, bytes: f.bytes, priority: f.priority }, { startMs: air.startMs, airtimeMs: air.airtimeMs });
    f.onSent?.();
    this.pump();
  }

  private failed(air: OnAir, e: unknown): void {
    if (!air.settled) {
      air.settled = true;
      if (air.token === this.transmission) this.onAir = false;
      this.shed(air.frame, 'send-failed');
    }
    // A closed link ends the scheduler (what is queued is shed as 'closed'); other errors cost one frame.
    if (e instanceof LinkClosedError) this.close();
    else this.pump();
  }

  private nextNotBefore(now: number): number {
    return this.queue.nextNotBefore(now);
  }

  /** One timer: at the earliest of the requested instant and the next expiry or notBefore. */
  private sleepUntil(atMs: number): void {
    if (this.closed) return;
    const now = this.clock.now();
    let wakeAt = Math.min(atMs, this.nextNotBefore(now));
    for (const p of priorityOrder) {
      const oldest = this.queue.oldest(p);
      if (oldest) wakeAt = Math.min(wakeAt, oldest.enqueuedAtMs + this.limits.maxWaitMs[p]);
    }
    if (wakeAt === this.wakeAtMs && this.wakeTimer) return;
    this.wakeTimer?.cancel();
    this.wakeTimer = undefined;
    this.wakeAtMs = wakeAt;
    if (!Number.isFinite(wakeAt)) return;
    this.wakeTimer = this.clock.setTimer(wakeAt - now, () => {
      this.wakeTimer = undefined;
      this.wakeAtMs = Number.POSITIVE_INFINITY;
      this.pump();
    });
  }
}

export function createTransmitScheduler(options: TransmitSchedulerOptions): TransmitScheduler {
  return new TransmitScheduler(options);
}
