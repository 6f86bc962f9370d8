/** Test doubles for the scheduler: a link that records when frames go on air, and a settable channel. */
import type { Clock } from '../../seams/clock.ts';
import { FrameTooLargeError, LinkClosedError, type Link, type LinkStats, type ReceivedFrame } from '../../seams/link.ts';
import type { ChannelMonitor } from '../../seams/channel-monitor.ts';
import { LONG_FAST, timeOnAirMs, type LoRaModulation } from '../../protocol/mesh/airtime.ts';

export interface AirRecord {
  readonly startMs: number;
  readonly endMs: number;
  readonly bytes: Uint8Array;
}

/** A radio-like link: one frame at a time (overlap is a test failure), airtime from the Semtech formula. */
export class RecordingLink implements Link {
  readonly id = 'recording';
  readonly kind = 'sim-radio' as const;
  readonly mtu = 255;
  readonly onAir: AirRecord[] = [];
  private busyUntilMs = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(private readonly clock: Clock, private readonly modulation: LoRaModulation = LONG_FAST) {}

  airtimeMs(length: number): number {
    return timeOnAirMs(this.modulation, length);
  }

  send(frame: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new LinkClosedError('closed'));
    if (frame.length > this.mtu) return Promise.reject(new FrameTooLargeError('too large'));
    const now = this.clock.now();
    if (now < this.busyUntilMs) throw new Error(`overlapping send at ${now} (busy until ${this.busyUntilMs})`);
    const endMs = now + this.airtimeMs(frame.length);
    this.busyUntilMs = endMs;
    this.onAir.push({ startMs: now, endMs, bytes: frame });
    return new Promise((resolve) => this.clock.setTimer(endMs - now, resolve));
  }

  onFrame(_handler: (frame: ReceivedFrame) => void): void {}

  stats(): LinkStats {
    return { framesSent: this.onAir.length, framesReceived: 0, framesDropped: 0, bytesSent: 0, bytesReceived: 0 };
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** First byte of each frame sent, in order (tests tag frames by it). */
  tags(): number[] {
    return this.onAir.map((r) => r.bytes[0] as number);
  }
}

export class SettableChannel implements ChannelMonitor {
  busy = false;
  use = 0;
  channelBusy(): boolean {
    return this.busy;
  }
  channelUse(): number {
    return this.use;
  }
}

export const tagged = (tag: number, length = 20): Uint8Array => new Uint8Array(length).fill(tag);
