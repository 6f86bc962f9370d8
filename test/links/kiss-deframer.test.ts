/**
 * The KISS deframer (node-runtime/links/framing/kiss-deframer.ts): the
 * Deframer contract, the byte examples of the KISS text (Chepponis and Karn
 * 1987, section 3), and fuzzing (every truncation, random bytes, random
 * chunk splits).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KissDeframer, type KissFrame } from '../../node-runtime/links/framing/kiss-deframer.ts';
import { KissFrameEncoder } from '../../node-runtime/links/framing/kiss-encoder.ts';
import { describeDeframerContract } from '../seams/deframer.contract.ts';

const encoder = new KissFrameEncoder();
const bytesOf = (f: KissFrame): Uint8Array => Uint8Array.of(f.command, ...f.data);

describeDeframerContract<KissFrame>('KISS (command byte + data)', {
  make: (maxFrameBytes) => new KissDeframer({ maxFrameBytes }),
  encode: (frame) => encoder.encode(frame[0] as number, frame.subarray(1)),
  bytesOf,
  largestFrameBytes: 1 << 20,
  resync: () => undefined,
});

describe('KISS framing, byte by byte', () => {
  it('escapes FEND and FESC in data as the KISS text shows (section 3)', () => {
    // FEND, command 0 (data, port 0), 'A' C0 DB 'B' escaped, FEND.
    expect([...encoder.encode(0x00, Uint8Array.of(0x41, 0xc0, 0xdb, 0x42))])
      .toEqual([0xc0, 0x00, 0x41, 0xdb, 0xdc, 0xdb, 0xdd, 0x42, 0xc0]);
  });

  it('reads the command byte (port in the high nibble) and unescapes the data', () => {
    const d = new KissDeframer({ maxFrameBytes: 16 });
    const frames = d.push(Uint8Array.of(0xc0, 0xc0, 0x10, 0x01, 0xdb, 0xdc, 0xc0));
    expect(frames).toEqual([{ command: 0x10, data: Uint8Array.of(0x01, 0xc0) }]);
    expect(d.stats()).toMatchObject({ framesDecoded: 1, framesBadEscape: 0 });
  });

  it('drops a frame with FESC before anything but TFEND/TFESC, and keeps the next one', () => {
    const d = new KissDeframer({ maxFrameBytes: 16 });
    const frames = d.push(Uint8Array.of(0xc0, 0x00, 0x01, 0xdb, 0x02, 0x03, 0xc0, 0x00, 0x09, 0xc0));
    expect(frames).toEqual([{ command: 0, data: Uint8Array.of(0x09) }]);
    expect(d.stats().framesBadEscape).toBe(1);
  });

  it('hands out nothing for every truncation of a frame, then the frame once completed', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 255 }), (data, command) => {
      const wire = encoder.encode(command, data);
      for (let cut = 0; cut < wire.length; cut++) {
        const d = new KissDeframer({ maxFrameBytes: 64 });
        expect(d.push(wire.subarray(0, cut))).toEqual([]);
        expect(d.push(wire.subarray(cut))).toEqual([{ command, data }]);
      }
    }), { numRuns: 100 });
  });

  it('never throws on random bytes in random chunks and holds at most maxFrameBytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(2000), { maxLength: 20 }), (bytes, cuts) => {
      const d = new KissDeframer({ maxFrameBytes: 32 });
      let from = 0;
      for (const cut of [...cuts.sort((a, b) => a - b), bytes.length]) {
        for (const f of d.push(bytes.subarray(from, Math.max(from, cut)))) expect(f.data.length + 1).toBeLessThanOrEqual(32);
        from = Math.max(from, cut);
      }
    }), { numRuns: 200 });
  });
});
