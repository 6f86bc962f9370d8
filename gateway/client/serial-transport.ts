/**
 * Serial transport for `serial:` relay URLs (whitepaper 5.1
 * `serial://dev/ttyS0`; the long form `serial:///dev/ttyUSB0?baud=115200`):
 * the client end of the serial door (gateway/server/doors/serial-door.ts).
 * One SLIP frame (RFC 1055) holding the relay frame and its CRC-32 each
 * way (docs/PROTOCOL.md "Serial door"); answers matched by reply id. A
 * frame lost to line noise fails its CRC and is dropped, so the exchange
 * times out: the relay client's own retries cover it (deposits are
 * idempotent). A line that goes away (a USB adapter unplugged) fails the
 * exchanges in flight at once and is reopened with backoff
 * (node-runtime/links/serial/reconnecting-uart.ts, shared with the serial
 * link and the door); exchanges while it is down fail at once, and work
 * again when it is back.
 *
 * One open port per device path per process, shared by every transport on
 * it: the kernel lets a tty be opened by one holder at a time (serialport
 * locks it, TIOCEXCL), so two relay clients on `serial://dev/ttyS0` in one
 * process must share the line. The map below mirrors that kernel state;
 * it is the one module-level table of the client (STYLE.md rule 8 makes
 * the exception explicit), emptied as the last transport on a path closes.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import { REPLY_ID_BYTES } from '../../protocol/server/constants.ts';
import { SERIAL_DEFAULT_BAUD, SERIAL_MAX_FRAME_BYTES } from '../../protocol/server/doors.ts';
import { SlipDeframer } from '../../node-runtime/links/framing/slip-deframer.ts';
import { SlipFrameEncoder } from '../../node-runtime/links/framing/slip-encoder.ts';
import { parseSerialUrl } from '../../node-runtime/links/kiss/serial-url.ts';
import { decodeSerialFrame, encodeSerialFrame, serialCrcBytes } from '../../node-runtime/links/serial/serial-frame.ts';
import type { OpenSerialPort } from '../../node-runtime/links/serial/open-serial-port.ts';
import { ReconnectingUart } from '../../node-runtime/links/serial/reconnecting-uart.ts';
import type { Clock } from '../../seams/clock.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { RelayTransportError } from './errors.ts';
import { DEFAULT_TIMEOUT_MS, type RelayTransport, type TransportOptions } from './transport.ts';

export interface SerialTransportOptions extends TransportOptions {
  /** Port factory (default the serialport package; its mock binding in tests). */
  readonly openPort?: OpenSerialPort;
  /** Timers of the reconnect backoff (default the system clock). */
  readonly clock?: Clock;
  /** First reconnect delay after a loss (default 250 ms), doubling up to 10 s. */
  readonly initialReconnectDelayMs?: number;
}

interface Waiter {
  (frame: Uint8Array | undefined, error?: Error): void;
}

/** One open serial line, shared by every transport on its path (reply ids are random, so they never collide). */
class SerialLine {
  readonly pending = new Map<string, Waiter>();
  private readonly deframer = new SlipDeframer({ maxFrameBytes: SERIAL_MAX_FRAME_BYTES + serialCrcBytes });
  private readonly encoder = new SlipFrameEncoder();
  refs = 0;
  readonly opened: Promise<void>;
  private readonly uart: ReconnectingUart;

  constructor(readonly path: string, baudRate: number, openPort: OpenSerialPort | undefined, clock: Clock, initialReconnectDelayMs: number | undefined) {
    let settled = false;
    let settle: (error?: Error) => void = () => undefined;
    this.opened = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    const reset = (): void => this.deframer.reset();
    this.uart = new ReconnectingUart({
      path, baudRate, clock, ...(openPort ? { openPort } : {}),
      ...(initialReconnectDelayMs !== undefined ? { initialReconnectDelayMs } : {}),
      onEvent: (event) => {
        if (event.type === 'lost') this.failAll(new RelayTransportError(`serial line ${path} lost: ${event.reason}`));
        if (settled || (event.type !== 'open' && event.type !== 'open-failed')) return;
        settled = true;
        // Only the first open decides: a wrong path is the caller's error, not a line to wait for.
        if (event.type === 'open') settle();
        else {
          void this.uart.close();
          settle(new RelayTransportError(`cannot open serial line ${path}: ${event.reason}`, { fields: { path } }));
        }
      },
    }, { onData: (chunk) => this.receive(chunk), onOpen: reset, onLost: reset });
  }

  private receive(chunk: Uint8Array): void {
    for (const raw of this.deframer.push(chunk)) {
      const decoded = decodeSerialFrame(raw, SERIAL_MAX_FRAME_BYTES);
      if (!decoded.ok || decoded.value.length < 1 + REPLY_ID_BYTES) continue; // noise: dropped
      const frame = decoded.value.slice();
      this.pending.get(toHex(frame.subarray(1, 1 + REPLY_ID_BYTES)))?.(frame);
    }
  }

  send(frame: Uint8Array, onError: (error: Error) => void): void {
    void this.uart.write(this.encoder.encode(encodeSerialFrame(frame))).then((written) => {
      if (!written) onError(new RelayTransportError(`serial line ${this.path} is down (reopening): nothing sent`));
    });
  }

  close(): Promise<void> {
    return this.uart.close();
  }

  failAll(error: Error): void {
    for (const done of [...this.pending.values()]) done(undefined, error);
  }
}

const lines = new Map<string, SerialLine>();

async function acquireLine(path: string, baudRate: number, options: SerialTransportOptions): Promise<SerialLine> {
  let line = lines.get(path);
  if (!line) {
    line = new SerialLine(path, baudRate, options.openPort, options.clock ?? systemClock, options.initialReconnectDelayMs);
    lines.set(path, line);
  }
  line.refs++;
  try {
    await line.opened;
  } catch (e) {
    if (--line.refs === 0) lines.delete(path);
    throw e;
  }
  return line;
}

async function releaseLine(line: SerialLine): Promise<void> {
  if (--line.refs > 0) return;
  lines.delete(line.path);
  await line.close();
}

export async function serialTransport(url: string, options: SerialTransportOptions = {}): Promise<RelayTransport> {
  const parsed = parseSerialUrl(url);
  if (!parsed.ok) throw new RelayTransportError(parsed.reason, { fields: { url } });
  // SLIP is the door's framing; KISS belongs to TNC radios, which carry mesh frames, not relay frames.
  if (parsed.value.framing === 'kiss') throw new RelayTransportError('serial relay doors speak SLIP: drop framing=kiss', { fields: { url } });
  const { path } = parsed.value;
  const baudRate = parsed.value.baudRate ?? SERIAL_DEFAULT_BAUD;
  const line = await acquireLine(path, baudRate, options);
  const mine = new Set<string>();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let closed = false;

  return {
    url: `serial://${path}?baud=${baudRate}`,
    maxRequestBytes: SERIAL_MAX_FRAME_BYTES,
    exchange(frame, replyId) {
      if (closed) return Promise.reject(new RelayTransportError('transport closed'));
      const id = toHex(replyId);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(undefined, new RelayTransportError(`no answer on ${path} within ${timeoutMs} ms`)), timeoutMs);
        const finish: Waiter = (f, error) => {
          clearTimeout(timer);
          line.pending.delete(id);
          mine.delete(id);
          if (f) resolve(f);
          else reject(error ?? new RelayTransportError('transport closed'));
        };
        line.pending.set(id, finish);
        mine.add(id);
        line.send(frame, (error) => finish(undefined, error));
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const id of [...mine]) line.pending.get(id)?.(undefined, new RelayTransportError('transport closed'));
      await releaseLine(line);
    },
  };
}
