/**
 * SLIP framing (RFC 1055): the package encoder's exact bytes, the
 * incremental deframer's drop-and-resync rules, and fuzzing of the deframer
 * (random bytes, mutated streams, random chunk splits, a differential check
 * against a plain whole-stream reference decoder).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { SLIP_END, SLIP_ESC, SlipDeframer } from '../../node-runtime/links/framing/slip-deframer.ts';
import { SlipFrameEncoder } from '../../node-runtime/links/framing/slip-encoder.ts';

interface SlipCase { name: string; frame: string; wire: string }
const vectors = JSON.parse(readFileSync(new URL('./vectors/slip-rfc1055.json', import.meta.url), 'utf8')) as { cases: SlipCase[] };

const hex = (text: string): Uint8Array => {
  const bytes = fromHex(text);
  if (!bytes) throw new Error(`bad hex in test: ${text}`);
  return bytes;
};

/**
 * Reference decoder written straight from RFC 1055 over a whole stream:
 * split at END, unescape each piece; a piece holding a bad escape, or
 * decoding to more than max bytes, is dropped; empty pieces are ignored.
 * The last piece (no END after it) yields no frame, but its drops already
 * count, as the deframer counts a drop when it sees it; an ESC that is the
 * very last byte is not judged yet.
 */
function referenceDecode(stream: Uint8Array, max: number): { frames: string[]; oversize: number; badEscape: number } {
  const frames: string[] = [];
  let oversize = 0;
  let badEscape = 0;
  let piece: number[] = [];
  const finish = (final: boolean): void => {
    const out: number[] = [];
    let bad = false;
    for (let i = 0; i < piece.length; i++) {
      const b = piece[i] as number;
      if (b === SLIP_ESC) {
        const next = piece[i + 1];
        if (next === 0xdc) out.push(0xc0);
        else if (next === 0xdd) out.push(0xdb);
        else if (final && next === undefined) break;
        else { bad = true; break; }
        i++;
      } else {
        out.push(b);
      }
      if (out.length > max) break;
    }
    if (out.length > max) oversize++;
    else if (bad) badEscape++;
    else if (out.length > 0 && !final) frames.push(toHex(Uint8Array.from(out)));
    piece = [];
  };
  for (const b of stream) {
    if (b === SLIP_END) finish(false);
    else piece.push(b);
  }
  finish(true);
  return { frames, oversize, badEscape };
}

/** xorshift32: a fast deterministic generator for fuzz inputs (not for keys). */
class FastRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  private next(): number {
    let x = this.state;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.state = x;
    return x;
  }
  int(n: number): number {
    return this.next() % n;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

function feedInChunks(deframer: SlipDeframer, stream: Uint8Array, cuts: number[]): string[] {
  const frames: string[] = [];
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < stream.length)].sort((x, y) => x - y).concat(stream.length)) {
    for (const f of deframer.push(stream.subarray(at, cut))) frames.push(toHex(f));
    at = cut;
  }
  return frames;
}

describe('SLIP encoder (@serialport/parser-slip-encoder, RFC 1055 bytes)', () => {
  for (const c of vectors.cases) {
    it(`encodes ${c.name}`, () => {
      expect(toHex(new SlipFrameEncoder().encode(hex(c.frame)))).toBe(c.wire);
    });
  }

  it('keeps working across many frames and a frame larger than the stream buffer', () => {
    const encoder = new SlipFrameEncoder();
    const big = new Uint8Array(70_000).fill(0xc0);
    expect(encoder.encode(big).length).toBe(2 + 2 * big.length);
    for (let i = 0; i < 1000; i++) expect(toHex(encoder.encode(Uint8Array.of(i & 0xff, 0xdb)))).toBe(`c0${(i & 0xff) === 0xc0 ? 'dbdc' : (i & 0xff) === 0xdb ? 'dbdd' : (i & 0xff).toString(16).padStart(2, '0')}dbddc0`);
  });

  it('encodes an empty frame to nothing', () => {
    expect(new SlipFrameEncoder().encode(new Uint8Array(0))).toHaveLength(0);
  });
});

describe('SlipDeframer', () => {
  for (const c of vectors.cases) {
    it(`decodes ${c.name}`, () => {
      const d = new SlipDeframer({ maxFrameBytes: 64 });
      expect(d.push(hex(c.wire)).map(toHex)).toEqual([c.frame]);
    });
  }

  it('decodes frames without a leading END and ignores empty frames between ENDs', () => {
    const d = new SlipDeframer({ maxFrameBytes: 16 });
    expect(d.push(hex('01c0c0c0c002c0')).map(toHex)).toEqual(['01', '02']);
    expect(d.stats()).toEqual({ framesDecoded: 2, framesOversize: 0, framesBadEscape: 0, bytesIn: 7 });
  });

  it('keeps a partial frame across pushes', () => {
    const d = new SlipDeframer({ maxFrameBytes: 16 });
    expect(d.push(hex('c00102db'))).toEqual([]);
    expect(d.push(hex('dc03'))).toEqual([]);
    expect(d.push(hex('c0')).map(toHex)).toEqual(['0102c003']);
  });

  it('accepts a frame of exactly maxFrameBytes, drops one byte more, and resyncs at the next END', () => {
    const d = new SlipDeframer({ maxFrameBytes: 4 });
    expect(d.push(hex('c001020304c0')).map(toHex)).toEqual(['01020304']);
    expect(d.push(hex('c00102030405060708c0aabbc0')).map(toHex)).toEqual(['aabb']);
    // An escaped byte counts once towards the size.
    expect(d.push(hex('c0dbdcdbdcdbdcdbdcc0')).map(toHex)).toEqual(['c0c0c0c0']);
    expect(d.push(hex('c0dbdcdbdcdbdcdbdcdbdcc0')).map(toHex)).toEqual([]);
    expect(d.stats().framesOversize).toBe(2);
  });

  it('drops the whole frame on an invalid escape instead of splitting it (the package decoder splits it)', () => {
    const d = new SlipDeframer({ maxFrameBytes: 16 });
    expect(d.push(hex('c00102db330405c0')).map(toHex)).toEqual([]);
    expect(d.push(hex('0607c0')).map(toHex)).toEqual(['0607']);
    expect(d.stats().framesBadEscape).toBe(1);
  });

  it('treats ESC END as a broken frame ended by END', () => {
    const d = new SlipDeframer({ maxFrameBytes: 16 });
    expect(d.push(hex('c00102dbc00304c0')).map(toHex)).toEqual(['0304']);
    expect(d.stats().framesBadEscape).toBe(1);
  });

  it('holds at most maxFrameBytes however long a line runs without END', () => {
    const d = new SlipDeframer({ maxFrameBytes: 255 });
    const noise = new Uint8Array(1 << 20).fill(0x41);
    for (let i = 0; i < 8; i++) expect(d.push(noise)).toEqual([]);
    expect(d.stats().framesOversize).toBe(1);
    expect(d.push(hex('c0c0aac0')).map(toHex)).toEqual(['aa']);
  });

  it('reset() forgets a partial frame', () => {
    const d = new SlipDeframer({ maxFrameBytes: 16 });
    d.push(hex('c00102'));
    d.reset();
    expect(d.push(hex('03c0')).map(toHex)).toEqual(['03']);
  });

  it('refuses a nonsensical maximum', () => {
    expect(() => new SlipDeframer({ maxFrameBytes: 0 })).toThrow(RangeError);
    expect(() => new SlipDeframer({ maxFrameBytes: 1.5 })).toThrow(RangeError);
    expect(() => new SlipDeframer({ maxFrameBytes: 2 ** 21 })).toThrow(RangeError);
  });

  it('returns copies: a kept frame does not change when more bytes arrive', () => {
    const d = new SlipDeframer({ maxFrameBytes: 16 });
    const [first] = d.push(hex('c0aabbc0'));
    d.push(hex('c0ccddc0'));
    expect(toHex(first!)).toBe('aabb');
  });
});

describe('SlipDeframer fuzzing', () => {
  it('round-trips any frames through the package encoder, whatever the chunk splits', () => {
    const encoder = new SlipFrameEncoder();
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (frames, cutSeeds) => {
          const parts = frames.map((f) => encoder.encode(f));
          const stream = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
          let at = 0;
          for (const p of parts) { stream.set(p, at); at += p.length; }
          const cuts = cutSeeds.map((c) => c % (stream.length + 1));
          const got = feedInChunks(new SlipDeframer({ maxFrameBytes: 300 }), stream, cuts);
          expect(got).toEqual(frames.map(toHex));
        },
      ),
      { numRuns: 3000, seed: 1055 },
    );
  });

  it('matches the whole-stream reference decoder on 100,000 random and mutated chunks, split anywhere', () => {
    const random = new FastRandom(1055);
    const encoder = new SlipFrameEncoder();
    const maxFrameBytes = 48;
    let chunks = 0;
    let streams = 0;
    // Bytes biased towards the framing values, so escapes and ENDs are frequent.
    const biased = (): number => {
      const r = random.int(8);
      return r === 0 ? 0xc0 : r === 1 ? 0xdb : r === 2 ? 0xdc : r === 3 ? 0xdd : random.int(256);
    };
    while (chunks < 100_000) {
      const pieces: Uint8Array[] = [];
      const count = 1 + random.int(6);
      for (let i = 0; i < count; i++) {
        const kind = random.int(4);
        if (kind === 0) {
          pieces.push(Uint8Array.from({ length: random.int(80) }, biased)); // garbage
        } else {
          const frame = random.bytes(1 + random.int(70)); // some exceed maxFrameBytes
          const wire = encoder.encode(frame);
          if (kind === 1 && wire.length > 2) wire[1 + random.int(wire.length - 2)] = biased(); // mutation
          pieces.push(wire);
        }
      }
      const stream = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of pieces) { stream.set(p, at); at += p.length; }
      const cuts = Array.from({ length: random.int(12) }, () => random.int(stream.length + 1));
      chunks += cuts.length + 1;
      streams++;
      const deframer = new SlipDeframer({ maxFrameBytes });
      const got = feedInChunks(deframer, stream, cuts);
      const want = referenceDecode(stream, maxFrameBytes);
      const s = deframer.stats();
      // expect() per stream is slow; compare cheaply and let expect() report the first mismatch.
      if (got.join() !== want.frames.join() || s.framesOversize !== want.oversize || s.framesBadEscape !== want.badEscape || s.bytesIn !== stream.length) {
        expect({ stream: toHex(stream), got, oversize: s.framesOversize, badEscape: s.framesBadEscape })
          .toEqual({ stream: toHex(stream), got: want.frames, oversize: want.oversize, badEscape: want.badEscape });
      }
      if (got.some((f) => f.length / 2 > maxFrameBytes)) throw new Error(`frame over the maximum in stream ${streams}`);
    }
    expect(chunks).toBeGreaterThanOrEqual(100_000);
  });

  it('never throws and never exceeds the maximum on 100,000 chunks of pure random bytes', () => {
    const random = new SeededRandom('slip-random');
    const deframer = new SlipDeframer({ maxFrameBytes: 32 });
    const pool = random.bytes(1 << 16);
    const fast = new FastRandom(7);
    let frames = 0;
    for (let i = 0; i < 100_000; i++) {
      const at = fast.int(pool.length - 40);
      for (const f of deframer.push(pool.subarray(at, at + fast.int(40)))) {
        if (f.length < 1 || f.length > 32) throw new Error(`frame of ${f.length} bytes`);
        frames++;
      }
    }
    expect(frames).toBe(deframer.stats().framesDecoded);
    expect(frames).toBeGreaterThan(0);
  });
});
