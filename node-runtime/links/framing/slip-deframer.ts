/**
 * Incremental SLIP deframer (RFC 1055), written once and reused by every
 * serial device (STYLE.md rule 15).
 *
 *   wire:  END? byte* END        END = 0xC0
 *          a data byte 0xC0 is sent as ESC ESC_END (0xDB 0xDC)
 *          a data byte 0xDB is sent as ESC ESC_ESC (0xDB 0xDD)
 *
 * Why not the decoder of @serialport/parser-slip-encoder (measured, see
 * docs/ARCHITECTURE.md section links): it appends byte by byte with
 * Buffer.concat (quadratic in the frame size), keeps no maximum (a line with
 * no END grows memory without bound), and on an invalid escape it emits the
 * bytes before the escape as one frame and the bytes after as another, so a
 * single corrupted byte turns one frame into two wrong ones. This deframer:
 *  - keeps one buffer of `maxFrameBytes` and never grows past it;
 *  - drops a frame that would exceed the maximum, counts it, and resyncs at
 *    the next END;
 *  - drops a frame holding an invalid escape (ESC followed by anything but
 *    ESC_END / ESC_ESC, END included), counts it, resyncs at the next END;
 *  - ignores empty frames: RFC 1055 recommends an END before each frame to
 *    flush line noise, which yields empty frames between END pairs;
 *  - gives the same frames however the byte stream is split into chunks.
 * Pure: no node: imports, works on Uint8Array. It is the SLIP Deframer of
 * seams/deframer.ts (its resynchronising boundary is the END byte).
 */
import type { Deframer } from '../../../seams/deframer.ts';

export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

export interface SlipDeframerStats {
  /** Whole frames handed out. */
  framesDecoded: number;
  /** Frames dropped because their decoded size exceeded maxFrameBytes. */
  framesOversize: number;
  /** Frames dropped because they held an invalid escape sequence. */
  framesBadEscape: number;
  /** Bytes pushed in, framing included. */
  bytesIn: number;
}

export interface SlipDeframerOptions {
  /** Largest decoded frame accepted, in bytes. */
  maxFrameBytes: number;
}

/** Hard ceiling on the buffer one deframer may hold, whatever it is asked for. */
export const slipMaxFrameBytesCeiling = 1 << 20;

type State = 'data' | 'escape' | 'discard';

export class SlipDeframer implements Deframer<Uint8Array, SlipDeframerStats> {
  private readonly buffer: Uint8Array;
  private length = 0;
  private state: State = 'data';
  private readonly counters: SlipDeframerStats = { framesDecoded: 0, framesOversize: 0, framesBadEscape: 0, bytesIn: 0 };

  constructor(options: SlipDeframerOptions) {
    const max = options.maxFrameBytes;
    if (!Number.isInteger(max) || max < 1 || max > slipMaxFrameBytesCeiling) {
      throw new RangeError(`maxFrameBytes must be an integer in 1..${slipMaxFrameBytesCeiling}, got ${max}`);
    }
    this.buffer = new Uint8Array(max);
  }

  get maxFrameBytes(): number {
    return this.buffer.length;
  }

  /**
   * Feeds bytes as they come off the line; returns the frames completed by
   * this chunk (each a fresh copy the caller may keep), in order.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const buf = this.buffer;
    const max = buf.length;
    let length = this.length;
    let state = this.state;
    this.counters.bytesIn += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (byte === SLIP_END) {
        // END always ends the frame and resynchronises, whatever came before.
        if (state === 'escape') {
          this.counters.framesBadEscape++;
        } else if (state === 'data' && length > 0) {
          frames.push(buf.slice(0, length));
          this.counters.framesDecoded++;
        }
        length = 0;
        state = 'data';
        continue;
      }
      let value = byte;
      if (state === 'discard') continue;
      if (state === 'escape') {
        if (byte === SLIP_ESC_END) value = SLIP_END;
        else if (byte === SLIP_ESC_ESC) value = SLIP_ESC;
        else {
          this.counters.framesBadEscape++;
          state = 'discard';
          continue;
        }
        state = 'data';
      } else if (byte === SLIP_ESC) {
        state = 'escape';
        continue;
      }
      if (length === max) {
        this.counters.framesOversize++;
        state = 'discard';
        continue;
      }
      buf[length++] = value;
    }
    this.length = length;
    this.state = state;
    return frames;
  }

  /** Forgets a partial frame (after the port was reopened, say). */
  reset(): void {
    this.length = 0;
    this.state = 'data';
  }

  stats(): SlipDeframerStats {
    return { ...this.counters };
  }
}
