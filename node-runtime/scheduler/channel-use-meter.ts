/**
 * Channel use measured from the link alone, for radios that cannot report
 * channel activity (the UART LoRa HAT hides its modem): own transmissions
 * plus every frame received, each counted for its Semtech time on air, over
 * a sliding window. This is how Meshtastic computes its channel utilisation
 * too. It under-counts what the radio heard but could not decode, so it is
 * a lower bound; the simulated medium's monitor is exact.
 *
 * Use: wrap the link once, hand the wrapped link to the router/scheduler and
 * the monitor to the scheduler:
 *   const { link: metered, monitor } = meterChannelUse(link, clock);
 *   createTransmitScheduler({ link: metered, channelMonitor: monitor, ... });
 */
import type { Clock } from '../../seams/clock.ts';
import type { Link, LinkKind, LinkStats, ReceivedFrame } from '../../seams/link.ts';
import type { ChannelMonitor } from '../../seams/channel-monitor.ts';

export interface ChannelUseMeterOptions {
  /** Sliding window, ms (60 000, as Meshtastic). */
  windowMs?: number;
  /** Carrier sense, where the radio offers one (LBT, CAD); never busy otherwise. */
  channelBusy?: () => boolean;
}

export class ChannelUseMeter implements ChannelMonitor {
  readonly windowMs: number;
  /** Flat [end0, airtime0, end1, airtime1, ...], ends non-decreasing. */
  private entries: number[] = [];
  private readonly busy: () => boolean;

  constructor(private readonly clock: Clock, options: ChannelUseMeterOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.busy = options.channelBusy ?? (() => false);
  }

  /** A frame this node sent (counted as just ended: a window of a minute does not mind the shift). */
  recordTransmit(airtimeMs: number): void {
    this.add(this.clock.now(), airtimeMs);
  }

  /** A frame that finished arriving now. */
  recordReceive(airtimeMs: number): void {
    this.add(this.clock.now(), airtimeMs);
  }

  channelBusy(): boolean {
    return this.busy();
  }

  /**
   * Airtime inside the window over the window, capped at 1. Frames are
   * summed, not merged: on a half-duplex radio a frame sent and a frame
   * received cannot overlap, and two received frames that overlap collide.
   */
  channelUse(): number {
    const now = this.clock.now();
    const from = now - this.windowMs;
    this.prune(from);
    let busyMs = 0;
    for (let i = 0; i < this.entries.length; i += 2) {
      const end = this.entries[i] as number;
      const start = end - (this.entries[i + 1] as number);
      busyMs += Math.max(0, Math.min(end, now) - Math.max(start, from));
    }
    return Math.min(1, busyMs / this.windowMs);
  }

  private add(endMs: number, airtimeMs: number): void {
    if (airtimeMs > 0) this.entries.push(endMs, airtimeMs);
  }

  private prune(fromMs: number): void {
    let drop = 0;
    while (drop < this.entries.length && (this.entries[drop] as number) <= fromMs) drop += 2;
    if (drop > 0) this.entries = this.entries.slice(drop);
  }
}

/** Wraps `link` so every frame sent or received is metered; returns the wrapped link and its monitor. */
export function meterChannelUse(link: Link, clock: Clock, options: ChannelUseMeterOptions = {}): { link: Link; monitor: ChannelUseMeter } {
  const monitor = new ChannelUseMeter(clock, options);
  link.onFrame((f) => monitor.recordReceive(link.airtimeMs(f.bytes.length)));
  const metered: Link = {
    get id(): string {
      return link.id;
    },
    get kind(): LinkKind {
      return link.kind;
    },
    get mtu(): number {
      return link.mtu;
    },
    airtimeMs: (length) => link.airtimeMs(length),
    // Counted once send() resolves (the frame has left, or been handed to the radio);
    // a rejected send (closed, too large) never went on air.
    send: (frame) => link.send(frame).then(() => monitor.recordTransmit(link.airtimeMs(frame.length))),
    onFrame: (handler: (frame: ReceivedFrame) => void) => link.onFrame(handler),
    stats: (): LinkStats => link.stats(),
    close: () => link.close(),
  };
  return { link: metered, monitor };
}
