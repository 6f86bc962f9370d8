/**
 * A Link over a serial line (USB-serial cable, serial radio modem in
 * transparent mode): each mesh frame travels as one SLIP frame (RFC 1055)
 * holding the frame and its CRC-32 (serial-frame.ts).
 *
 * The port (seams/uart-port.ts) is made by an injected factory (the real
 * `serialport` package by default, open-serial-port.ts; its mock binding in
 * tests). When the port is lost (USB unplugged, adapter reset) it is
 * reopened with exponential backoff, forever, until close()
 * (reconnecting-uart.ts, shared with the KISS port and the serial relay
 * door). While the port is down, send() drops the
 * frame and counts it in `framesUnsentPortDown` (radio semantics: delivery is
 * never guaranteed; the router's acknowledgements and retries cover it).
 * Garbage on the line, bad escapes, oversize frames and CRC mismatches are
 * dropped and counted, never fatal.
 */
import type { Clock } from '../../../seams/clock.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import { FrameTooLargeError, LinkClosedError, type Link, type LinkStats, type ReceivedFrame } from '../../../seams/link.ts';
import { LinkConfigError } from '../errors.ts';
import { SlipDeframer } from '../framing/slip-deframer.ts';
import { SlipFrameEncoder } from '../framing/slip-encoder.ts';
import type { OpenSerialPort } from './open-serial-port.ts';
import { ReconnectingUart, type UartEvent } from './reconnecting-uart.ts';
import { decodeSerialFrame, encodeSerialFrame, serialCrcBytes } from './serial-frame.ts';

export type { OpenSerialPort, SerialPortSettings } from './open-serial-port.ts';

export type SerialLinkEvent = UartEvent;

export interface SerialLinkOptions {
  /** Device path, e.g. /dev/ttyUSB0 or /dev/serial0. */
  path: string;
  /** Line speed in bit/s (default 115200). Both ends must agree. */
  baudRate?: number;
  /** Largest mesh frame carried, in bytes (default 255, an SX126x frame). */
  mtu?: number;
  clock: Clock;
  /** For the reconnect jitter (default the platform CSPRNG). */
  random?: RandomSource;
  /** Port factory (default: the real serialport package). */
  openPort?: OpenSerialPort;
  /** First reconnect delay (default 250 ms), doubling up to maxReconnectDelayMs (default 10 s). */
  initialReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** Link id (default `serial:<path>`). */
  id?: string;
  /** Observes port life (opens, losses, failed reopens); never sees frame contents. */
  onEvent?: (event: SerialLinkEvent) => void;
}

export interface SerialLinkStats extends LinkStats {
  /** Frames send() accepted while the port was down, and so never left. */
  framesUnsentPortDown: number;
  /** Received frames dropped, by cause (their sum is framesDropped). */
  droppedOversize: number;
  droppedBadEscape: number;
  droppedBadChecksum: number;
  droppedTooShort: number;
  /** Times the port was lost and times it was reopened. */
  portLosses: number;
  portReopens: number;
}

export const serialDefaultBaudRate = 115_200;
export const serialDefaultMtu = 255;
/** Bits per byte on an 8N1 line: start bit, 8 data bits, stop bit. */
const bitsPerByte8N1 = 10;

export class SerialLink implements Link {
  readonly id: string;
  readonly kind = 'serial' as const;
  readonly mtu: number;
  private readonly baudRate: number;
  private readonly deframer: SlipDeframer;
  private readonly encoder = new SlipFrameEncoder();
  private readonly uart: ReconnectingUart;
  private closed = false;
  private handler: ((frame: ReceivedFrame) => void) | undefined;
  private readonly counters: SerialLinkStats = {
    framesSent: 0, framesReceived: 0, framesDropped: 0, bytesSent: 0, bytesReceived: 0,
    framesUnsentPortDown: 0, droppedOversize: 0, droppedBadEscape: 0, droppedBadChecksum: 0, droppedTooShort: 0,
    portLosses: 0, portReopens: 0,
  };

  constructor(private readonly options: SerialLinkOptions) {
    if (typeof options.path !== 'string' || options.path.length === 0) throw new LinkConfigError('serial link: path is required');
    this.baudRate = options.baudRate ?? serialDefaultBaudRate;
    if (!Number.isInteger(this.baudRate) || this.baudRate <= 0) throw new LinkConfigError(`serial link: bad baudRate ${this.baudRate}`);
    this.mtu = options.mtu ?? serialDefaultMtu;
    if (!Number.isInteger(this.mtu) || this.mtu < 1 || this.mtu > 65_535) throw new LinkConfigError(`serial link: bad mtu ${this.mtu}`);
    this.id = options.id ?? `serial:${options.path}`;
    this.deframer = new SlipDeframer({ maxFrameBytes: this.mtu + serialCrcBytes });
    // A frame cut by a loss must not be glued to the first bytes after the reopen.
    const reset = (): void => this.deframer.reset();
    this.uart = new ReconnectingUart({
      path: options.path, baudRate: this.baudRate, clock: options.clock,
      ...(options.random ? { random: options.random } : {}),
      ...(options.openPort ? { openPort: options.openPort } : {}),
      ...(options.initialReconnectDelayMs !== undefined ? { initialReconnectDelayMs: options.initialReconnectDelayMs } : {}),
      ...(options.maxReconnectDelayMs !== undefined ? { maxReconnectDelayMs: options.maxReconnectDelayMs } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    }, { onData: (chunk) => this.receive(chunk), onOpen: reset, onLost: reset });
  }

  /** True while the device is open. */
  get isOpen(): boolean {
    return this.uart.isOpen;
  }

  /** Resolves once the port is open (at once if it is); never rejects, waits across reconnects. */
  whenOpen(): Promise<void> {
    return this.uart.whenOpen();
  }

  /** Time the frame occupies the line at the configured baud rate, SLIP escapes aside. */
  airtimeMs(length: number): number {
    const wireBytes = length + serialCrcBytes + 2;
    return (wireBytes * bitsPerByte8N1 * 1000) / this.baudRate;
  }

  async send(frame: Uint8Array): Promise<void> {
    if (this.closed) throw new LinkClosedError(`${this.id} is closed`);
    if (frame.length > this.mtu) throw new FrameTooLargeError(`${this.id}: frame of ${frame.length} bytes exceeds mtu ${this.mtu}`);
    if (frame.length === 0) throw new RangeError(`${this.id}: empty frame`); // programmer misuse: no mesh frame is empty
    const written = await this.uart.write(this.encoder.encode(encodeSerialFrame(frame)));
    if (!written) {
      this.counters.framesUnsentPortDown++;
      return;
    }
    this.counters.framesSent++;
    this.counters.bytesSent += frame.length;
  }

  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.handler = handler;
  }

  stats(): SerialLinkStats {
    return { ...this.counters, ...this.uart.stats() };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handler = undefined;
    await this.uart.close();
  }

  private receive(chunk: Uint8Array): void {
    if (this.closed) return;
    const before = this.deframer.stats();
    const frames = this.deframer.push(chunk);
    const after = this.deframer.stats();
    const oversize = after.framesOversize - before.framesOversize;
    const badEscape = after.framesBadEscape - before.framesBadEscape;
    this.counters.droppedOversize += oversize;
    this.counters.droppedBadEscape += badEscape;
    this.counters.framesDropped += oversize + badEscape;
    for (const wire of frames) {
      const decoded = decodeSerialFrame(wire, this.mtu);
      if (!decoded.ok) {
        this.counters.framesDropped++;
        if (decoded.code === 'bad-checksum') this.counters.droppedBadChecksum++;
        else if (decoded.code === 'too-long') this.counters.droppedOversize++;
        else this.counters.droppedTooShort++;
        continue;
      }
      this.counters.framesReceived++;
      this.counters.bytesReceived += decoded.value.length;
      // A handler may close the link; re-check before each delivery.
      const handler = this.closed ? undefined : this.handler;
      handler?.({ bytes: decoded.value });
    }
  }
}
