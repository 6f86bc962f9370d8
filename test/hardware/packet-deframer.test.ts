import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../protocol/codec/bytes.ts';
import { encodePacket, PacketDeframer, type DeframedPacket } from '../../hardware/e22/packet-deframer.ts';

const mtu = 239;

/** True when `part` occurs in `whole` at some byte offset. */
function isSliceOf(part: Uint8Array, whole: Uint8Array): boolean {
  outer: for (let i = 0; i + part.length <= whole.length; i++) {
    for (let j = 0; j < part.length; j++) if (whole[i + j] !== part[j]) continue outer;
    return true;
  }
  return false;
}

function feed(deframer: PacketDeframer, stream: Uint8Array, cuts: number[]): DeframedPacket[] {
  const out: DeframedPacket[] = [];
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < stream.length)].sort((a, b) => a - b).concat(stream.length)) {
    out.push(...deframer.push(stream.subarray(at, cut)));
    at = cut;
  }
  return out;
}

describe('E22 packet deframer', () => {
  it('frames one packet as [length][frame] and reads it back with the RSSI byte', () => {
    const frame = Uint8Array.of(0xc0, 0xff, 0x00, 0x01);
    expect(toHex(encodePacket(frame, mtu))).toBe('04c0ff0001');
    const d = new PacketDeframer({ maxFrameBytes: mtu, rssiByte: true });
    const got = d.push(Uint8Array.of(0x04, 0xc0, 0xff, 0x00, 0x01, 0xc4));
    expect(got).toHaveLength(1);
    expect(toHex(got[0]!.bytes)).toBe('c0ff0001');
    expect(got[0]!.rssiDbm).toBe(-60);
    expect(d.midPacket).toBe(false);
  });

  it('refuses empty and oversized frames on encode', () => {
    expect(() => encodePacket(new Uint8Array(0), mtu)).toThrow(RangeError);
    expect(() => encodePacket(new Uint8Array(240), mtu)).toThrow(RangeError);
    expect(() => new PacketDeframer({ maxFrameBytes: 256, rssiByte: false })).toThrow(RangeError);
  });

  it('splits back-to-back packets on the UART, whatever the chunking (property)', () => {
    const frames = fc.array(fc.uint8Array({ minLength: 1, maxLength: mtu }), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(frames, fc.array(fc.nat(2000), { maxLength: 20 }), fc.boolean(), fc.nat(255), (fs, cuts, rssi, rssiByte) => {
      const stream = concatBytes(...fs.map((f) => (rssi ? concatBytes(encodePacket(f, mtu), Uint8Array.of(rssiByte)) : encodePacket(f, mtu))));
      const d = new PacketDeframer({ maxFrameBytes: mtu, rssiByte: rssi });
      const got = feed(d, stream, cuts);
      expect(got.map((g) => toHex(g.bytes))).toEqual(fs.map((f) => toHex(f)));
      if (rssi) for (const g of got) expect(g.rssiDbm).toBe(rssiByte - 256);
      expect(d.stats()).toMatchObject({ frames: fs.length, skippedBytes: 0, partialFrames: 0 });
    }), { numRuns: 1500 });
  });

  it('drops a partial frame when the line goes idle, and never glues it to the next packet', () => {
    const d = new PacketDeframer({ maxFrameBytes: mtu, rssiByte: false });
    expect(d.push(Uint8Array.of(10, 1, 2, 3))).toEqual([]);
    expect(d.midPacket).toBe(true);
    expect(d.lineIdle()).toBe(true);
    const got = d.push(encodePacket(Uint8Array.of(9, 9, 9), mtu));
    expect(got.map((g) => toHex(g.bytes))).toEqual(['090909']);
    expect(d.stats()).toMatchObject({ frames: 1, partialFrames: 1, skippedBytes: 4 });
    expect(d.lineIdle()).toBe(false);
  });

  it('skips a burst that starts with an impossible length until the line is idle', () => {
    const d = new PacketDeframer({ maxFrameBytes: 100, rssiByte: false });
    // A foreign packet: first byte 0xf0 (> mtu), then bytes that would look like a frame.
    expect(d.push(Uint8Array.of(0xf0, 0x02, 0xaa, 0xbb))).toEqual([]);
    expect(d.push(Uint8Array.of(0x00))).toEqual([]);
    d.lineIdle();
    expect(d.push(Uint8Array.of(0x00))).toEqual([]);
    d.lineIdle();
    expect(d.push(encodePacket(Uint8Array.of(7), 100)).map((g) => toHex(g.bytes))).toEqual(['07']);
    expect(d.stats()).toMatchObject({ frames: 1, skippedBursts: 2, skippedBytes: 6 });
  });

  it('fuzz: 100k hostile streams never throw, never exceed the mtu, and every frame is a slice of the input', () => {
    let frames = 0;
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), fc.array(fc.nat(64), { maxLength: 4 }), (bytes, rssi, idleAt) => {
      const d = new PacketDeframer({ maxFrameBytes: 40, rssiByte: rssi });
      let at = 0;
      for (const cut of [...idleAt.filter((c) => c < bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
        for (const got of d.push(bytes.subarray(at, cut))) {
          frames++;
          if (got.bytes.length < 1 || got.bytes.length > 40) throw new Error(`frame of ${got.bytes.length}`);
          if (!isSliceOf(got.bytes, bytes)) throw new Error('frame not from the input');
        }
        d.lineIdle();
        at = cut;
      }
    }), { numRuns: 100_000 });
    expect(frames).toBeGreaterThan(0);
  });
});
