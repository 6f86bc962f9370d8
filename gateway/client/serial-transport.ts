/**
 * Serial transport for `serial:` relay URLs (whitepaper 5.1
 * `serial://dev/ttyS0`; the long form `serial:///dev/ttyUSB0?baud=115200`):
 * the client end of the serial door (gateway/server/doors/serial-door.ts).
 * One SLIP frame (RFC 1055) holding the relay frame and its CRC-32 each
 * way (docs/PROTOCOL.md "Serial door"); answers matched by reply id. A
 * frame lost to line noise fails its CRC and is dropped, so the exchange
 * times out: the relay client's own retries cover it (deposits are
 * idempotent).
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
import { closePort, type UartPort } from '../../seams/uart-port.ts';
import { SlipDeframer } from '../../node-runtime/links/framing/slip-deframer.ts';
import { SlipFrameEncoder } from '../../node-runtime/links/framing/slip-encoder.ts';
import { parseSerialUrl } from '../../node-runtime/links/kiss/serial-url.ts';
import { decodeSerialFrame, encodeSerialFrame, serialCrcBytes } from '../../node-runtime/links/serial/serial-frame.ts';
import { openRealSerialPort, type OpenSerialPort } from '../../node-runtime/links/serial/open-serial-port.ts';
import { RelayTransportError } from './errors.ts';
import { DEFAULT_TIMEOUT_MS, type RelayTransport, type TransportOptions } from './transport.ts';

export interface SerialTransportOptions extends TransportOptions {
  /** Port factory (default the serialport package; its mock binding in tests). */
  readonly openPort?: OpenSerialPort;
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

  constructor(readonly path: string, readonly port: UartPort) {
    port.on('error', () => undefined); // failures surface as timeouts; an unhandled 'error' would crash
    port.on('close', () => this.failAll(new RelayTransportError(`serial line ${path} closed`)));
    port.on('data', (chunk) => this.receive(chunk));
    this.opened = new Promise<void>((resolve, reject) => port.open((error) => {
      if (error) reject(new RelayTransportError(`cannot open serial line ${path}: ${error.message}`, { fields: { path } }));
      else resolve();
    }));
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
    this.port.write(this.encoder.encode(encodeSerialFrame(frame)), (error) => {
      if (error) onError(new RelayTransportError(`write to ${this.path} failed: ${error.message}`));
    });
  }

  failAll(error: Error): void {
    for (const done of [...this.pending.values()]) done(undefined, error);
  }
}

const lines = new Map<string, SerialLine>();

async function acquireLine(path: string, baudRate: number, openPort: OpenSerialPort): Promise<SerialLine> {
  let line = lines.get(path);
  if (!line) {
    line = new SerialLine(path, openPort({ path, baudRate }));
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
  line.port.removeAllListeners();
  line.port.on('error', () => undefined);
  await closePort(line.port);
}

export async function serialTransport(url: string, options: SerialTransportOptions = {}): Promise<RelayTransport> {
  const parsed = parseSerialUrl(url);
  if (!parsed.ok) throw new RelayTransportError(parsed.reason, { fields: { url } });
  // SLIP is the door's framing; KISS belongs to TNC radios, which carry mesh frames, not relay frames.
  if (parsed.value.framing === 'kiss') throw new RelayTransportError('serial relay doors speak SLIP: drop framing=kiss', { fields: { url } });
  const { path } = parsed.value;
  const baudRate = parsed.value.baudRate ?? SERIAL_DEFAULT_BAUD;
  const line = await acquireLine(path, baudRate, options.openPort ?? openRealSerialPort);
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
