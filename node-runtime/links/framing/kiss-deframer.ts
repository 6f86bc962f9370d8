/**
 * Incremental KISS deframer (Chepponis and Karn, "The KISS TNC: A simple
 * host-to-TNC communications protocol", 1987), the framing of packet radio
 * TNCs and of RNode radios (their firmware's extra commands ride in the same
 * frames). It is a seams/deframer.ts Deframer, like SLIP and the E22 packets.
 *
 *   wire:   FEND  command  data*  FEND          FEND  = 0xC0
 *           a data byte 0xC0 is sent as FESC TFEND (0xDB 0xDC)
 *           a data byte 0xDB is sent as FESC TFESC (0xDB 0xDD)
 *   command (KISS section 4): high nibble = TNC port, low nibble = command
 *           (0 data frame, 1 TXDELAY, 2 P, 3 SlotTime, 4 TXtail,
 *           5 FullDuplex, 6 SetHardware, 0xFF return); RNode firmware uses
 *           the whole byte as its own command number (hardware/rnode/).
 *
 * The byte stuffing is SLIP's (RFC 1055) with the same four values, so the
 * unstuffing is SlipDeframer's, kept in one place (STYLE.md rule 15); this
 * file adds what KISS defines on top: the first byte of a frame is its
 * command, and a frame is its command byte plus data. `maxFrameBytes`
 * counts both (framing bytes excluded). Differences from the 1987 text,
 * on purpose: an FESC followed by anything but TFEND/TFESC drops the whole
 * frame (the spec lets assembly go on without the FESC, which hands a
 * corrupted frame to the mesh); empty frames between back-to-back FENDs
 * are ignored, as the spec says.
 */
import type { Deframer } from '../../../seams/deframer.ts';
import { SlipDeframer } from './slip-deframer.ts';

export const KISS_FEND = 0xc0;
export const KISS_FESC = 0xdb;
export const KISS_TFEND = 0xdc;
export const KISS_TFESC = 0xdd;
/** KISS section 4: a data frame on port 0. */
export const KISS_CMD_DATA = 0x00;

/** One KISS frame: its command byte and its data (a fresh array the caller may keep). */
export interface KissFrame {
  readonly command: number;
  readonly data: Uint8Array;
}

export interface KissDeframerStats {
  /** Whole frames handed out. */
  framesDecoded: number;
  /** Frames dropped because command + data exceeded maxFrameBytes. */
  framesOversize: number;
  /** Frames dropped because they held an FESC not followed by TFEND or TFESC. */
  framesBadEscape: number;
  /** Bytes pushed in, framing included. */
  bytesIn: number;
}

export interface KissDeframerOptions {
  /** Largest frame accepted, command byte included, in bytes. */
  maxFrameBytes: number;
}

export class KissDeframer implements Deframer<KissFrame, KissDeframerStats> {
  private readonly bytes: SlipDeframer;

  constructor(options: KissDeframerOptions) {
    this.bytes = new SlipDeframer({ maxFrameBytes: options.maxFrameBytes });
  }

  get maxFrameBytes(): number {
    return this.bytes.maxFrameBytes;
  }

  push(chunk: Uint8Array): KissFrame[] {
    // SlipDeframer never hands out an empty frame, so every frame has its command byte.
    return this.bytes.push(chunk).map((frame) => ({ command: frame[0] as number, data: frame.subarray(1) }));
  }

  reset(): void {
    this.bytes.reset();
  }

  stats(): KissDeframerStats {
    const s = this.bytes.stats();
    return { framesDecoded: s.framesDecoded, framesOversize: s.framesOversize, framesBadEscape: s.framesBadEscape, bytesIn: s.bytesIn };
  }
}
