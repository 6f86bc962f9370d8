/**
 * Serial front door (whitepaper 5.1: a server URL such as
 * `serial://dev/ttyS0`; docs/PROTOCOL.md "Serial door"): a relay reached
 * over a cable (a null-modem line between a relay board and a gateway, a
 * USB-serial adapter, a wired radio modem in transparent mode).
 *
 * Wire: each relay frame, in both directions, is one SLIP frame (RFC 1055,
 * node-runtime/links/framing/) holding the frame and its CRC-32
 * (node-runtime/links/serial/serial-frame.ts, the serial link's own layout):
 * a line hit by noise loses a frame (the client times out) instead of
 * handing the core a corrupted one. Answers carry the request's reply id,
 * so several requests may be in flight; each answer is written in one
 * write(), whole, so answers never interleave on the line.
 *
 * One cable is one source for rate limits (`serial:<path>`). A frame over
 * SERIAL_MAX_FRAME_BYTES is never buffered whole: the deframer drops it as
 * it grows (seams/deframer.ts), and the door answers 'too-large' to the
 * reply id it read from the frame's first bytes.
 *
 * A line that goes away (a USB adapter unplugged, a board reset) is
 * reopened with backoff until the door closes (node-runtime/links/serial/
 * reconnecting-uart.ts, the serial link's own helper): requests in flight
 * when it went lose their answers (the client times out and retries), the
 * half-received frame is discarded, and traffic resumes on the new port.
 * Only the first open must succeed: a wrong device path stops the relay at
 * start with RelayConfigError.
 *
 * A serial line has no port number: `port` is the line speed in bit/s, and
 * `url` names the device the client reaches the line through (`clientPath`,
 * by default the door's own path, as on two boards cabled UART to UART).
 */
import { SERIAL_DEFAULT_BAUD, SERIAL_MAX_FRAME_BYTES } from '../../../protocol/server/doors.ts';
import { encodeRefusalFrame, FRAME, replyIdOf } from '../../../protocol/server/frame.ts';
import type { DoorCore, RunningDoor } from '../../../seams/door.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import { SLIP_END, SLIP_ESC, SLIP_ESC_END, SlipDeframer } from '../../../node-runtime/links/framing/slip-deframer.ts';
import { SlipFrameEncoder } from '../../../node-runtime/links/framing/slip-encoder.ts';
import { decodeSerialFrame, encodeSerialFrame, serialCrcBytes } from '../../../node-runtime/links/serial/serial-frame.ts';
import type { OpenSerialPort } from '../../../node-runtime/links/serial/open-serial-port.ts';
import { ReconnectingUart, type UartEvent } from '../../../node-runtime/links/serial/reconnecting-uart.ts';
import { systemClock } from '../../../node-runtime/platform/clock.ts';
import { RelayConfigError } from '../errors.ts';
import { InFlight } from './connection-cap.ts';

export interface SerialDoorOptions {
  /** The relay's end of the line, e.g. /dev/ttyS0 or /dev/serial0. */
  readonly path: string;
  /** Line speed in bit/s (default 115200); both ends must agree. */
  readonly baudRate?: number;
  /** The device path clients open to reach this line, for the door's URL (default `path`). */
  readonly clientPath?: string;
  /** Largest relay frame taken or sent (default SERIAL_MAX_FRAME_BYTES). */
  readonly maxFrameBytes?: number;
  /** Requests answered at once; extra ones are refused 'rate-limited'. Default 32. */
  readonly maxInFlight?: number;
  /** Port factory (default the serialport package; its mock binding in tests). */
  readonly openPort?: OpenSerialPort;
  /** Timers of the reconnect backoff (default the system clock), its jitter (default the CSPRNG). */
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** First reconnect delay after a loss (default 250 ms), doubling up to maxReconnectDelayMs (default 10 s). */
  readonly initialReconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  /** Observes the line's life (opens, losses, failed reopens); never sees the bytes. */
  readonly onEvent?: (event: UartEvent) => void;
}

/** Bytes of a frame's head the door keeps to answer an oversize one: type, server id, reply id. */
const HEAD_BYTES = 32;

/**
 * The first bytes of the SLIP frame being received, unescaped, so that an
 * oversize frame (dropped by the deframer) can still be answered by reply id.
 */
class FrameHead {
  private readonly bytes = new Uint8Array(HEAD_BYTES);
  private length = 0;
  private escaped = false;

  /** Follows the bytes up to (not past) an END; the caller resets after an END. */
  feed(segment: Uint8Array): void {
    for (const byte of segment) {
      if (byte === SLIP_END) return;
      if (this.escaped) {
        this.escaped = false;
        this.add(byte === SLIP_ESC_END ? SLIP_END : SLIP_ESC);
      } else if (byte === SLIP_ESC) this.escaped = true;
      else this.add(byte);
    }
  }

  private add(byte: number): void {
    if (this.length < HEAD_BYTES) this.bytes[this.length++] = byte;
  }

  value(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  reset(): void {
    this.length = 0;
    this.escaped = false;
  }
}

/** Splits a chunk after each END byte, so each piece holds at most one frame's end. */
function segments(chunk: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < chunk.length; i++) {
    if (chunk[i] === SLIP_END) {
      out.push(chunk.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < chunk.length) out.push(chunk.subarray(start));
  return out;
}

/** Opens the line; rejects if the first attempt fails (a wrong path is a configuration error, not a lost line). */
function openLine(options: SerialDoorOptions, baudRate: number, onData: (chunk: Uint8Array) => void, onReset: () => void): Promise<ReconnectingUart> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const uart: ReconnectingUart = new ReconnectingUart({
      path: options.path, baudRate, clock: options.clock ?? systemClock,
      ...(options.random ? { random: options.random } : {}),
      ...(options.openPort ? { openPort: options.openPort } : {}),
      ...(options.initialReconnectDelayMs !== undefined ? { initialReconnectDelayMs: options.initialReconnectDelayMs } : {}),
      ...(options.maxReconnectDelayMs !== undefined ? { maxReconnectDelayMs: options.maxReconnectDelayMs } : {}),
      onEvent: (event) => {
        options.onEvent?.(event);
        if (event.type === 'open' && !settled) {
          settled = true;
          resolve(uart);
        } else if (event.type === 'open-failed' && !settled) {
          settled = true;
          void uart.close();
          reject(new RelayConfigError(`serial door: cannot open ${options.path}: ${event.reason}`, { fields: { path: options.path } }));
        }
      },
    }, { onData, onOpen: onReset, onLost: onReset });
  });
}

export async function startSerialDoor(core: DoorCore, options: SerialDoorOptions): Promise<RunningDoor> {
  const baudRate = options.baudRate ?? SERIAL_DEFAULT_BAUD;
  const maxFrameBytes = options.maxFrameBytes ?? SERIAL_MAX_FRAME_BYTES;
  const deframer = new SlipDeframer({ maxFrameBytes: maxFrameBytes + serialCrcBytes });
  const encoder = new SlipFrameEncoder();
  const head = new FrameHead();
  const inFlight = new InFlight(options.maxInFlight ?? 32, options.maxInFlight ?? 32);
  const source = `serial:${options.path}`;
  let closed = false;

  // Written whole or not at all: while the line is down an answer is dropped (the client times out and retries).
  const opened: { uart?: ReconnectingUart } = {};
  const send = (frame: Uint8Array): void => {
    if (closed || !opened.uart) return;
    void opened.uart.write(encoder.encode(encodeSerialFrame(frame)));
  };
  const answer = (frame: Uint8Array): void => {
    const release = inFlight.enter(source);
    if (!release) {
      send(encodeRefusalFrame(replyIdOf(frame), 'rate-limited', `over ${options.maxInFlight ?? 32} requests in flight on this line`));
      return;
    }
    core.handle(frame, { source, maxResponseBytes: maxFrameBytes }).then(send, () => undefined).finally(release);
  };
  const onData = (chunk: Uint8Array): void => {
    for (const piece of segments(chunk)) {
      head.feed(piece);
      const oversizeBefore = deframer.stats().framesOversize;
      for (const raw of deframer.push(piece)) {
        const decoded = decodeSerialFrame(raw, maxFrameBytes);
        if (decoded.ok) answer(decoded.value); // a bad CRC is line noise: dropped, the client times out
      }
      if (deframer.stats().framesOversize > oversizeBefore) {
        const h = head.value();
        // Only frames that look like relay frames get an answer; noise gets none.
        if (h[0] === FRAME.sealedRequest || h[0] === FRAME.descriptorQuery) {
          send(encodeRefusalFrame(replyIdOf(h), 'too-large', `frame over ${maxFrameBytes} bytes on a serial line`));
        }
      }
      if (piece[piece.length - 1] === SLIP_END) head.reset();
    }
  };

  // A frame cut by a loss must not be glued to the first bytes of the new port.
  const reset = (): void => {
    deframer.reset();
    head.reset();
  };
  const line = await openLine(options, baudRate, onData, reset);
  opened.uart = line;
  const clientPath = options.clientPath ?? options.path;
  return {
    url: `serial://${clientPath}?baud=${baudRate}`,
    port: baudRate,
    async close() {
      closed = true;
      await line.close();
    },
  };
}
