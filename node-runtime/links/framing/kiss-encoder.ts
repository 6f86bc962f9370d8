/**
 * KISS framing of outgoing frames: FEND, the command byte and the data with
 * FEND/FESC escaped, FEND. KISS's byte stuffing is SLIP's (RFC 1055, same
 * four byte values), so this is @serialport/parser-slip-encoder through
 * SlipFrameEncoder over command + data, with the leading FEND the KISS text
 * recommends ("to flush out any line noise", section 3) and SLIP's
 * bluetoothQuirk already sends.
 */
import { SlipFrameEncoder } from './slip-encoder.ts';

export class KissFrameEncoder {
  private readonly slip = new SlipFrameEncoder();

  /** The wire bytes of one KISS frame (a fresh array the caller may keep). */
  encode(command: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
    if (!Number.isInteger(command) || command < 0 || command > 0xff) throw new RangeError(`KISS command must be a byte, got ${command}`);
    const content = new Uint8Array(data.length + 1);
    content[0] = command;
    content.set(data, 1);
    return this.slip.encode(content).slice();
  }
}
