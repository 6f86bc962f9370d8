/**
 * A serial port that speaks KISS (framing/kiss-deframer.ts), shared by the
 * KISS TNC link (kiss-link.ts) and the RNode link (../rnode/): it opens the
 * port through an injected factory (serialport, or its mock binding in
 * tests), reopens it with exponential backoff when it is lost (a USB radio
 * unplugged), hands out whole KISS frames and counts what it drops. It
 * knows nothing of what the frames mean.
 */
import type { Clock, TimerHandle } from '../../../seams/clock.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { UartPort } from '../../../seams/uart-port.ts';
import { systemRandom } from '../../platform/random.ts';
import { KissDeframer, type KissFrame } from '../framing/kiss-deframer.ts';
import { KissFrameEncoder } from '../framing/kiss-encoder.ts';
import { Backoff } from '../serial/backoff.ts';
import { openRealSerialPort, type OpenSerialPort } from '../serial/open-serial-port.ts';

export type KissPortEvent =
  | { type: 'open'; path: string }
  | { type: 'lost'; path: string; reason: string }
  | { type: 'open-failed'; path: string; reason: string; retryInMs: number }
  | { type: 'port-error'; path: string; reason: string };

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
  private readonly backoff: Backoff;
  private readonly openPort: OpenSerialPort;
  private port: UartPort | undefined;
  private portOpen = false;
  private closed = false;
  private reconnectTimer: TimerHandle | undefined;
  private openWaiters: Array<() => void> = [];
  private readonly frameHandlers = new Set<(frame: KissFrame) => void>();
  private readonly openHandlers = new Set<() => void>();
  private losses = 0;
  private reopens = 0;

  constructor(private readonly options: KissPortOptions) {
    this.deframer = new KissDeframer({ maxFrameBytes: options.maxFrameBytes });
    this.openPort = options.openPort ?? openRealSerialPort;
    this.backoff = new Backoff(
      { initialDelayMs: options.initialReconnectDelayMs ?? 250, maxDelayMs: options.maxReconnectDelayMs ?? 10_000 },
      options.random ?? systemRandom,
    );
    this.connect();
  }

  get isOpen(): boolean {
    return this.portOpen;
  }

  /** Resolves once the port is open (at once if it is, or after close()); never rejects. */
  whenOpen(): Promise<void> {
    if (this.portOpen || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.openWaiters.push(resolve));
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
    const port = this.port;
    if (this.closed || !port || !this.portOpen) return Promise.resolve(false);
    const wire = this.encoder.encode(command, data);
    return new Promise((resolve) => {
      port.write(Buffer.from(wire.buffer, wire.byteOffset, wire.length), (err) => resolve(!err));
    });
  }

  stats(): KissPortStats {
    const d = this.deframer.stats();
    return { framesOversize: d.framesOversize, framesBadEscape: d.framesBadEscape, portLosses: this.losses, portReopens: this.reopens };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.frameHandlers.clear();
    this.openHandlers.clear();
    this.reconnectTimer?.cancel();
    for (const wake of this.openWaiters.splice(0)) wake();
    const port = this.port;
    this.port = undefined;
    this.portOpen = false;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    port?.removeAllListeners();
    port?.on('error', () => undefined); // a late 'error' with no listener would crash the daemon
  }

  private connect(): void {
    if (this.closed) return;
    let port: UartPort;
    try {
      port = this.openPort({ path: this.options.path, baudRate: this.options.baudRate });
    } catch (err) {
      this.scheduleReconnect(describe(err));
      return;
    }
    this.port = port;
    port.on('error', (err) => this.emit({ type: 'port-error', path: this.options.path, reason: describe(err) }));
    port.on('data', (chunk) => this.receive(chunk));
    port.on('close', (err) => this.onPortClosed(port, err));
    port.open((err) => {
      if (this.closed || this.port !== port) {
        if (!err) port.close();
        return;
      }
      if (err) {
        port.removeAllListeners();
        port.on('error', () => undefined);
        this.port = undefined;
        this.scheduleReconnect(describe(err));
        return;
      }
      if (this.losses > 0) this.reopens++;
      this.portOpen = true;
      this.backoff.reset();
      this.deframer.reset();
      this.emit({ type: 'open', path: this.options.path });
      for (const wake of this.openWaiters.splice(0)) wake();
      for (const handler of [...this.openHandlers]) handler();
    });
  }

  private onPortClosed(port: UartPort, err: Error | null | undefined): void {
    if (this.closed || this.port !== port) return;
    this.portOpen = false;
    this.port = undefined;
    port.removeAllListeners();
    port.on('error', () => undefined);
    this.losses++;
    this.emit({ type: 'lost', path: this.options.path, reason: err ? describe(err) : 'closed by the device' });
    this.deframer.reset();
    this.scheduleReconnect(undefined);
  }

  private scheduleReconnect(failure: string | undefined): void {
    if (this.closed) return;
    const delayMs = this.backoff.nextDelayMs();
    if (failure !== undefined) this.emit({ type: 'open-failed', path: this.options.path, reason: failure, retryInMs: delayMs });
    this.reconnectTimer = this.options.clock.setTimer(delayMs, () => {
      this.reconnectTimer = undefined;
      this.connect();
    });
  }

  private receive(chunk: Uint8Array): void {
    if (this.closed) return;
    for (const frame of this.deframer.push(chunk)) {
      for (const handler of [...this.frameHandlers]) if (!this.closed) handler(frame);
    }
  }

  private emit(event: KissPortEvent): void {
    this.options.onEvent?.(event);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
