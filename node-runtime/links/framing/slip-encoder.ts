/**
 * SLIP framing of outgoing frames (RFC 1055) with the encoder of
 * @serialport/parser-slip-encoder, whose defaults are RFC 1055's bytes
 * (END 0xC0, ESC 0xDB, ESC_END 0xDC, ESC_ESC 0xDD).
 *
 * `bluetoothQuirk: true` makes it send END before each frame as well as
 * after: that is RFC 1055's own advice ("send an initial END character to
 * flush out any data that may have accumulated in the receiver due to line
 * noise"), so line noise before a frame ends up in a separate junk frame that
 * the receiver drops, instead of being glued to the front of a good one.
 *
 * The package's encoder is a Transform stream; its _transform runs
 * synchronously on write(), so write() followed by read() yields the encoded
 * frame at once. This wrapper gives that a plain function shape, usable by
 * every serial device.
 */
import { SlipEncoder } from '@serialport/parser-slip-encoder';

export class SlipFrameEncoder {
  private readonly encoder = new SlipEncoder({ bluetoothQuirk: true });

  /** Returns END, the escaped frame, END. An empty frame encodes to nothing. */
  encode(frame: Uint8Array): Uint8Array {
    if (frame.length === 0) return new Uint8Array(0);
    this.encoder.write(Buffer.from(frame.buffer, frame.byteOffset, frame.length));
    const out = this.encoder.read() as Buffer | null;
    if (out === null) throw new Error('SLIP encoder produced no output (unexpected asynchronous transform)');
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }
}
