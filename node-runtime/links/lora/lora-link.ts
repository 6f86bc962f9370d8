/**
 * The LoRa HAT as a mesh Link (seams/link.ts), over an
 * E22Driver in normal mode and transparent transmission.
 *
 *  - mtu: the sub-packet size (REG1, 240 by default) minus our 1-byte
 *    length prefix (packet-deframer.ts), so each frame is one LoRa packet.
 *  - send: writes [length][frame] and then holds the next frame back for 3
 *    idle byte times (the module's end-of-packet trigger) plus the packet's
 *    time on air and a guard, so two frames are never merged into one packet
 *    and the module's 1000-byte buffer never overflows.
 *  - receive: the deframer splits the UART stream; an idle line drops any
 *    partial frame. RSSI from the module's RSSI byte when REG3 bit 7 is set.
 *  - airtimeMs: Semtech formula for the air rate's modulation class
 *    (air-rate.ts) over the frame plus the length byte.
 */
import type { Clock, TimerHandle } from '../../../seams/clock.ts';
import {
  FrameTooLargeError, LinkClosedError, type Link, type LinkStats, type ReceivedFrame,
} from '../../../seams/link.ts';
import { timeOnAirMs } from '../../../protocol/mesh/airtime.ts';
import { e22Modulation, uartTimeMs } from '../../../hardware/e22/air-rate.ts';
import type { E22Driver } from '../../../hardware/e22/driver.ts';
import { E22Error } from '../../../hardware/e22/errors.ts';
import { encodePacket, PacketDeframer } from '../../../hardware/e22/packet-deframer.ts';
import type { E22Config } from '../../../hardware/e22/registers.ts';

export interface LoRaLinkOptions {
  readonly driver: E22Driver;
  /** The module's configuration as read back (driver.readConfig()). */
  readonly config: E22Config;
  readonly clock: Clock;
  readonly id?: string;
  /**
   * Idle time after which a partial frame is dropped, ms (default max(50,
   * 32 byte times)). Generous on purpose: it only speeds resynchronisation
   * after garbage, while cutting a slow-arriving frame would lose it.
   */
  readonly idleGapMs?: number;
  /** Extra pause after each packet's time on air, ms (default 10). */
  readonly guardMs?: number;
  /** Close the driver (pins and UART) with the link (default true). */
  readonly closeDriver?: boolean;
}

/** Bytes the link adds to each frame on air: the length prefix. */
export const loraFramingBytes = 1;

export class LoRaLink implements Link {
  readonly id: string;
  readonly kind = 'lora' as const;
  readonly mtu: number;
  private readonly handlers = new Set<(frame: ReceivedFrame) => void>();
  private readonly deframer: PacketDeframer;
  private readonly counters: LinkStats = { framesSent: 0, framesReceived: 0, framesDropped: 0, bytesSent: 0, bytesReceived: 0 };
  private readonly idleGapMs: number;
  private readonly unsubscribe: () => void;
  private tail: Promise<void> = Promise.resolve();
  private idleTimer: TimerHandle | undefined;
  private readonly pauses = new Set<{ timer: TimerHandle; resolve: () => void }>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: LoRaLinkOptions) {
    const { config } = options;
    if (config.fixedPoint) throw new E22Error('bad-config', 'the LoRa link needs transparent transmission (REG3 bit 6 = 0)');
    if (options.driver.mode !== 'normal') throw new E22Error('wrong-mode', `the LoRa link needs normal mode, not ${options.driver.mode}`);
    this.id = options.id ?? `lora:${config.channel}/${config.netId}`;
    this.mtu = config.packetSizeBytes - loraFramingBytes;
    this.deframer = new PacketDeframer({ maxFrameBytes: this.mtu, rssiByte: config.rssiByte });
    this.idleGapMs = options.idleGapMs ?? Math.max(50, uartTimeMs(32, config.uartBaud));
    this.unsubscribe = options.driver.onData((chunk) => this.onBytes(chunk));
  }

  airtimeMs(length: number): number {
    return timeOnAirMs(e22Modulation[this.options.config.airRateBps], length + loraFramingBytes);
  }

  send(frame: Uint8Array): Promise<void> {
    if (this.closing) return Promise.reject(new LinkClosedError('LoRa link is closed'));
    if (frame.length > this.mtu) {
      return Promise.reject(new FrameTooLargeError(`frame of ${frame.length} bytes over the LoRa mtu of ${this.mtu}`));
    }
    if (frame.length === 0) return Promise.reject(new RangeError('empty frame'));
    const packet = encodePacket(frame, this.mtu);
    const holdMs = uartTimeMs(3, this.options.driver.dataBaud) + this.airtimeMs(frame.length) + (this.options.guardMs ?? 10);
    const written = this.tail.then(async () => {
      if (this.closing) throw new LinkClosedError('LoRa link is closed');
      await this.options.driver.writeData(packet);
      this.counters.framesSent++;
      this.counters.bytesSent += frame.length;
    });
    this.tail = written.then(() => this.pause(holdMs), () => undefined);
    return written;
  }

  private pause(ms: number): Promise<void> {
    if (this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: this.options.clock.setTimer(ms, () => {
          this.pauses.delete(entry);
          resolve();
        }),
        resolve,
      };
      this.pauses.add(entry);
    });
  }

  private onBytes(chunk: Uint8Array): void {
    if (this.closing) return;
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    for (const packet of this.deframer.push(chunk)) {
      this.counters.framesReceived++;
      this.counters.bytesReceived += packet.bytes.length;
      const frame: ReceivedFrame = packet.rssiDbm === undefined ? { bytes: packet.bytes } : { bytes: packet.bytes, rssiDbm: packet.rssiDbm };
      for (const handler of [...this.handlers]) handler(frame);
    }
    this.syncDropped();
    if (this.deframer.midPacket) {
      this.idleTimer = this.options.clock.setTimer(this.idleGapMs, () => {
        this.idleTimer = undefined;
        this.deframer.lineIdle();
        this.syncDropped();
      });
    }
  }

  private syncDropped(): void {
    const s = this.deframer.stats();
    this.counters.framesDropped = s.partialFrames + s.skippedBursts;
  }

  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.handlers.add(handler);
  }

  stats(): LinkStats {
    return { ...this.counters };
  }

  /** Deframer detail for `meow status` and troubleshooting. */
  deframerStats(): ReturnType<PacketDeframer['stats']> {
    return this.deframer.stats();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.handlers.clear();
      this.unsubscribe();
      this.idleTimer?.cancel();
      for (const p of this.pauses) {
        p.timer.cancel();
        p.resolve();
      }
      this.pauses.clear();
      await this.tail;
      if (this.options.closeDriver ?? true) await this.options.driver.close();
    })();
    return this.closing;
  }
}
