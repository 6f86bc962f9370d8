/**
 * A serial port that speaks KISS (framing/kiss-deframer.ts), shared by the
 * KISS TNC link (kiss-link.ts) and the RNode link (../rnode/): the line is
 * a ReconnectingUart (../serial/reconnecting-uart.ts: opened through an
 * injected factory, serialport or its mock binding in tests, and reopened
 * with exponential backoff when it is lost, a USB radio unplugged); this
 * hands out whole KISS frames and counts what it drops. It knows nothing
 * of what the frames mean.
 */
import type { Clock } from '../../../seams/clock.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import { KissDeframer, type KissFrame } from '../framing/kiss-deframer.ts';
import { KissFrameEncoder } from '../framing/kiss-encoder.ts';
import type { OpenSerialPort } from '../serial/open-serial-port.ts';
import { ReconnectingUart, type UartEvent } from '../serial/reconnecting-uart.ts';

export type KissPortEvent = UartEvent;

export interface KissPortOptions {
  readonly path: string;
  readonly baudRate: number;
  /** Largest KISS frame accepted, command byte included. */
  readonly maxFrameBytes: number;
  readonly clock: Clock;
  readonly random?: RandomSource;
  readonly openPort?: OpenSerialPort;
  readonly initialReconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  readonly onEvent?: (event: KissPortEvent) => void;
}

export interface KissPortStats {
  framesOversize: number;
  framesBadEscape: number;
  portLosses: number;
  portReopens: number;
}

export class KissPort {
  private readonly deframer: KissDeframer;
  private readonly encoder = new KissFrameEncoder();
  private readonly uart: ReconnectingUart;
  private closed = false;
  private readonly frameHandlers = new Set<(frame: KissFrame) => void>();
  private readonly openHandlers = new Set<() => void>();

  constructor(options: KissPortOptions) {
    this.deframer = new KissDeframer({ maxFrameBytes: options.maxFrameBytes });
    this.uart = new ReconnectingUart(options, {
      onData: (chunk) => this.receive(chunk),
      onOpen: () => {
        this.deframer.reset();
        for (const handler of [...this.openHandlers]) handler();
      },
      // A frame cut by the loss must not be glued to the first bytes after the reopen.
      onLost: () => this.deframer.reset(),
    });
  }

  get isOpen(): boolean {
    return this.uart.isOpen;
  }

  /** Resolves once the port is open (at once if it is, or after close()); never rejects. */
  whenOpen(): Promise<void> {
    return this.uart.whenOpen();
  }

  onFrame(handler: (frame: KissFrame) => void): () => void {
    this.frameHandlers.add(handler);
    return () => this.frameHandlers.delete(handler);
  }

  /** Called after every (re)open: a radio that lost power needs its settings again. */
  onOpen(handler: () => void): () => void {
    this.openHandlers.add(handler);
    return () => this.openHandlers.delete(handler);
  }

  /** Writes one KISS frame; resolves false when the port is down or the write failed (nothing left). */
  send(command: number, data?: Uint8Array): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.uart.write(this.encoder.encode(command, data));
  }

  stats(): KissPortStats {
    const d = this.deframer.stats();
    return { framesOversize: d.framesOversize, framesBadEscape: d.framesBadEscape, ...this.uart.stats() };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.frameHandlers.clear();
    this.openHandlers.clear();
    await this.uart.close();
  }

  private receive(chunk: Uint8Array): void {
    if (this.closed) return;
    for (const frame of this.deframer.push(chunk)) {
      for (const handler of [...this.frameHandlers]) if (!this.closed) handler(frame);
    }
  }
}
