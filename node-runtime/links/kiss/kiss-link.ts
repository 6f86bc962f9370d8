/**
 * A Link through a KISS TNC (a packet radio modem on a serial line,
 * `serial:///dev/ttyUSB0?baud=115200&framing=kiss`): each mesh frame is one
 * KISS data frame (command 0x00 | port << 4, KISS section 4), which the TNC
 * sends as one packet with its own checksum; the peer TNC hands it back the
 * same way. Frames of other commands or ports from the TNC are dropped and
 * counted. No CRC of ours: the TNC drops packets whose frame check fails.
 */
import type { Clock } from '../../../seams/clock.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import { FrameTooLargeError, LinkClosedError, type Link, type LinkStats, type ReceivedFrame } from '../../../seams/link.ts';
import { KISS_CMD_DATA, type KissFrame } from '../framing/kiss-deframer.ts';
import type { OpenSerialPort } from '../serial/open-serial-port.ts';
import { KissPort, type KissPortEvent, type KissPortStats } from './kiss-port.ts';

export interface KissLinkOptions {
  readonly path: string;
  readonly baudRate: number;
  /** TNC port 0..15 (the high nibble of the command byte). */
  readonly tncPort?: number;
  /** Largest mesh frame, bytes (default 255). */
  readonly mtu?: number;
  readonly clock: Clock;
  readonly random?: RandomSource;
  readonly openPort?: OpenSerialPort;
  readonly id?: string;
  readonly onEvent?: (event: KissPortEvent) => void;
}

export interface KissLinkStats extends LinkStats, KissPortStats {
  /** Frames send() accepted while the port was down: they never left. */
  framesUnsentPortDown: number;
  /** Frames from the TNC that were not data frames of our port. */
  droppedNotData: number;
}

/** Bits per byte on an 8N1 line. */
const bitsPerByte8N1 = 10;

export class KissLink implements Link {
  readonly id: string;
  readonly kind = 'kiss' as const;
  readonly mtu: number;
  readonly port: KissPort;
  private readonly dataCommand: number;
  private handler: ((frame: ReceivedFrame) => void) | undefined;
  private closed = false;
  private readonly counters = {
    framesSent: 0, framesReceived: 0, framesDropped: 0, bytesSent: 0, bytesReceived: 0, framesUnsentPortDown: 0, droppedNotData: 0,
  };

  constructor(private readonly options: KissLinkOptions) {
    this.mtu = options.mtu ?? 255;
    this.dataCommand = ((options.tncPort ?? 0) << 4) | KISS_CMD_DATA;
    this.id = options.id ?? `kiss:${options.path}`;
    this.port = new KissPort({
      path: options.path, baudRate: options.baudRate, maxFrameBytes: this.mtu + 1, clock: options.clock,
      ...(options.random ? { random: options.random } : {}), ...(options.openPort ? { openPort: options.openPort } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    this.port.onFrame((frame) => this.receive(frame));
  }

  whenOpen(): Promise<void> {
    return this.port.whenOpen();
  }

  /** The line time of the frame to the TNC; the TNC's own air rate is not known here. */
  airtimeMs(length: number): number {
    return ((length + 3) * bitsPerByte8N1 * 1000) / this.options.baudRate;
  }

  async send(frame: Uint8Array): Promise<void> {
    if (this.closed) throw new LinkClosedError(`${this.id} is closed`);
    if (frame.length > this.mtu) throw new FrameTooLargeError(`${this.id}: frame of ${frame.length} bytes exceeds mtu ${this.mtu}`);
    if (frame.length === 0) throw new RangeError(`${this.id}: empty frame`);
    if (!(await this.port.send(this.dataCommand, frame))) {
      this.counters.framesUnsentPortDown++;
      return;
    }
    this.counters.framesSent++;
    this.counters.bytesSent += frame.length;
  }

  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.handler = handler;
  }

  stats(): KissLinkStats {
    const p = this.port.stats();
    return { ...this.counters, ...p, framesDropped: this.counters.framesDropped + p.framesOversize + p.framesBadEscape };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handler = undefined;
    await this.port.close();
  }

  private receive(frame: KissFrame): void {
    if (frame.command !== this.dataCommand || frame.data.length === 0) {
      this.counters.droppedNotData++;
      this.counters.framesDropped++;
      return;
    }
    this.counters.framesReceived++;
    this.counters.bytesReceived += frame.data.length;
    this.handler?.({ bytes: frame.data });
  }
}
