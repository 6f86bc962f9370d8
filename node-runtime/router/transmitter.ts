/**
 * The router's way onto the air: one frame goes into every link's transmit
 * queue (scheduler/transmit-queue.ts), and what the links tell about the
 * channel (time on air, measured channel use) plus the short-term use of
 * frames this node decoded from others (recent-airtime.ts).
 */
import type { Clock } from '../../seams/clock.ts';
import type { Link } from '../../seams/link.ts';
import type { TransmitPriority, TransmitQueue } from '../scheduler/transmit-queue.ts';
import type { Lifecycle } from './lifecycle.ts';
import { RecentAirtime } from './recent-airtime.ts';
import type { RouterCounters } from './types.ts';

export class Transmitter {
  /** Largest frame every link carries. */
  readonly mtu: number;
  private readonly recentHeard: RecentAirtime;

  constructor(
    private readonly links: readonly Link[],
    private readonly queues: readonly TransmitQueue[],
    private readonly clock: Clock,
    private readonly lifecycle: Lifecycle,
    private readonly counters: Pick<RouterCounters, 'framesSent'>,
    recentUseWindowMs: number,
  ) {
    this.mtu = Math.min(...links.map((l) => l.mtu));
    this.recentHeard = new RecentAirtime(recentUseWindowMs);
  }

  /** Enqueues one frame on every link; onSent runs once, after the first link sent it. */
  transmit(id: string, bytes: Uint8Array, priority: TransmitPriority, notBeforeMs?: number, onSent?: () => void): boolean {
    if (this.lifecycle.closed) return false;
    let sent = false;
    let accepted = false;
    const once = (): void => {
      if (sent) return;
      sent = true;
      this.counters.framesSent++;
      onSent?.();
    };
    for (const q of this.queues) {
      accepted = q.enqueue({ id, bytes, priority, ...(notBeforeMs !== undefined && { notBeforeMs }), onSent: once }) || accepted;
    }
    return accepted;
  }

  cancel(id: string): boolean {
    let any = false;
    for (const q of this.queues) any = q.cancel(id) || any;
    return any;
  }

  /** Time on air of a frame of `bytes` on the slowest link, ms. */
  airtimeMs(bytes: number): number {
    return Math.max(...this.links.map((l) => l.airtimeMs(bytes)));
  }

  /** Highest channel use any link measures, 0..1 (a one-minute window on radios). */
  channelUse(): number {
    let use = 0;
    for (const q of this.queues) use = Math.max(use, q.channelUse?.() ?? 0);
    return use;
  }

  /** Records a frame decoded here from another node, for recentHeardUse(). */
  noteHeard(frameBytes: number): void {
    this.recentHeard.note(this.clock.now(), this.airtimeMs(frameBytes));
  }

  /** Share of the last `recentUseWindowMs` taken by frames decoded here from other nodes. */
  recentHeardUse(): number {
    return this.recentHeard.use(this.clock.now());
  }

  depths(): number[] {
    return this.queues.map((q) => q.depth());
  }

  close(): void {
    for (const q of this.queues) q.close();
  }
}
