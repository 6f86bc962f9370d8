/**
 * A serial line that comes back: the one place a lost UART is reopened,
 * shared by the serial link (serial-link.ts), the KISS/RNode port
 * (../kiss/kiss-port.ts) and the relay's serial door
 * (gateway/server/doors/serial-door.ts).
 *
 * The port (seams/uart-port.ts) is made by an injected factory (the real
 * serialport package by default; its mock binding in tests), unopened, so
 * that a failed open takes the same path as a lost port: a new port object
 * is made and opened after an exponential, jittered delay (backoff.ts),
 * forever, until close(). Bytes are handed to `onData` in order; `onOpen`
 * runs after every (re)open and `onLost` after every loss, so a reader can
 * reset its deframer (a frame cut by the loss must not be glued to the
 * first bytes after it) and a radio can be configured again. A late event
 * of an old port object never reaches the reader: each port's listeners
 * check that it is still the current one.
 */
import type { Clock, TimerHandle } from '../../../seams/clock.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { UartPort } from '../../../seams/uart-port.ts';
import { systemRandom } from '../../platform/random.ts';
import { Backoff } from './backoff.ts';
import { openRealSerialPort, type OpenSerialPort } from './open-serial-port.ts';

export type UartEvent =
  | { type: 'open'; path: string }
  | { type: 'lost'; path: string; reason: string }
  | { type: 'open-failed'; path: string; reason: string; retryInMs: number }
  | { type: 'port-error'; path: string; reason: string };

export interface ReconnectingUartOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly clock: Clock;
  /** For the reconnect jitter (default the platform CSPRNG). */
  readonly random?: RandomSource;
  /** Port factory (default: the real serialport package). */
  readonly openPort?: OpenSerialPort;
  /** First reconnect delay (default 250 ms), doubling up to maxReconnectDelayMs (default 10 s). */
  readonly initialReconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  /** Observes the port's life (opens, losses, failed reopens); never sees the bytes. */
  readonly onEvent?: (event: UartEvent) => void;
}

export interface UartReader {
  onData(chunk: Uint8Array): void;
  /** After every open, the first included. */
  onOpen?(): void;
  /** After every loss of an open port. */
  onLost?(): void;
}

export interface ReconnectingUartStats {
  /** Times an open port was lost, and times it was opened again after a loss. */
  portLosses: number;
  portReopens: number;
}

export class ReconnectingUart {
  private readonly backoff: Backoff;
  private readonly openPort: OpenSerialPort;
  private port: UartPort | undefined;
  private portOpen = false;
  private closed = false;
  private reconnectTimer: TimerHandle | undefined;
  private openWaiters: Array<() => void> = [];
  private readonly counters: ReconnectingUartStats = { portLosses: 0, portReopens: 0 };

  constructor(private readonly options: ReconnectingUartOptions, private readonly reader: UartReader) {
    this.openPort = options.openPort ?? openRealSerialPort;
    this.backoff = new Backoff(
      { initialDelayMs: options.initialReconnectDelayMs ?? 250, maxDelayMs: options.maxReconnectDelayMs ?? 10_000 },
      options.random ?? systemRandom,
    );
    this.connect();
  }

  get path(): string {
    return this.options.path;
  }

  /** True while the device is open. */
  get isOpen(): boolean {
    return this.portOpen;
  }

  /** Resolves once the port is open (at once if it is, or after close()); never rejects, waits across reconnects. */
  whenOpen(): Promise<void> {
    if (this.portOpen || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.openWaiters.push(resolve));
  }

  /** Queues bytes on the open port; resolves false when the port is down or the write failed (nothing was sent). */
  write(bytes: Uint8Array): Promise<boolean> {
    const port = this.port;
    if (this.closed || !port || !this.portOpen) return Promise.resolve(false);
    return new Promise((resolve) => {
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), (err) => resolve(!err));
    });
  }

  stats(): ReconnectingUartStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reconnectTimer?.cancel();
    this.reconnectTimer = undefined;
    for (const wake of this.openWaiters.splice(0)) wake();
    const port = this.port;
    this.port = undefined;
    this.portOpen = false;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    if (port) retire(port);
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
    port.on('data', (chunk) => {
      if (!this.closed && this.port === port) this.reader.onData(chunk);
    });
    port.on('close', (err) => this.onPortClosed(port, err));
    port.open((err) => {
      if (this.closed || this.port !== port) {
        if (!err) port.close();
        return;
      }
      if (err) {
        retire(port);
        this.port = undefined;
        this.scheduleReconnect(describe(err));
        return;
      }
      if (this.counters.portLosses > 0) this.counters.portReopens++;
      this.portOpen = true;
      this.backoff.reset();
      this.emit({ type: 'open', path: this.options.path });
      for (const wake of this.openWaiters.splice(0)) wake();
      this.reader.onOpen?.();
    });
  }

  private onPortClosed(port: UartPort, err: Error | null | undefined): void {
    if (this.closed || this.port !== port) return;
    this.portOpen = false;
    this.port = undefined;
    retire(port);
    this.counters.portLosses++;
    this.reader.onLost?.();
    this.emit({ type: 'lost', path: this.options.path, reason: err ? describe(err) : 'closed by the device' });
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

  private emit(event: UartEvent): void {
    this.options.onEvent?.(event);
  }
}

/** An old port object keeps swallowing late errors: an unhandled 'error' event would crash the daemon. */
function retire(port: UartPort): void {
  port.removeAllListeners();
  port.on('error', () => undefined);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
