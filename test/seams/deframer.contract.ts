/**
 * The Deframer compliance suite (seams/deframer.ts): run against every
 * framing (SLIP in test/links/slip-deframer-contract.test.ts, the E22 HAT's
 * packets in test/hardware/packet-deframer-contract.test.ts; KISS joins
 * them). Each clause of the contract is one test below.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Deframer } from '../../seams/deframer.ts';

export interface DeframerHarness<Frame> {
  /** A deframer handing out frames of at most `maxFrameBytes`. */
  make(maxFrameBytes: number): Deframer<Frame>;
  /** The wire bytes of one frame (1 to `largestFrameBytes` bytes), whatever the deframer's maximum. */
  encode(frame: Uint8Array): Uint8Array;
  /** The frame's bytes (a framing may add fields such as the RSSI). */
  bytesOf(frame: Frame): Uint8Array;
  /** Largest frame the framing can carry at all (255 for a length byte). */
  readonly largestFrameBytes: number;
  /**
   * What the reader does where the framing resynchronises after garbage or
   * an oversize frame: nothing where the framing marks boundaries in band
   * (SLIP's END), reset() where the boundary is an idle line (E22).
   */
  resync(deframer: Deframer<Frame>): void;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits `bytes` at the given cut points (any order, any repeats). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks;
}

export function describeDeframerContract<Frame>(name: string, h: DeframerHarness<Frame>): void {
  const max = Math.min(64, h.largestFrameBytes - 1);
  const frameArb = fc.uint8Array({ minLength: 1, maxLength: max });
  const pushAll = (d: Deframer<Frame>, chunks: readonly Uint8Array[]): Uint8Array[] => chunks.flatMap((c) => d.push(c).map(h.bytesOf));

  describe(`Deframer contract: ${name}`, () => {
    it('reports the maximum it was made with', () => {
      expect(h.make(max).maxFrameBytes).toBe(max);
    });

    it('hands out the same whole frames however the stream is split', () => {
      fc.assert(fc.property(fc.array(frameArb, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (frames, cuts) => {
        const d = h.make(max);
        const out = pushAll(d, split(concat(frames.map(h.encode)), cuts));
        expect(out).toEqual(frames);
      }), { numRuns: 300 });
    });

    it('drops an oversize frame whole and resynchronises for the next one', () => {
      const d = h.make(max);
      const good = new Uint8Array(max).fill(0x11);
      const out = pushAll(d, [h.encode(new Uint8Array(max + 1).fill(0x22))]);
      h.resync(d);
      out.push(...pushAll(d, [h.encode(good)]));
      expect(out).toEqual([good]);
    });

    it('never throws on garbage, never hands out an empty or oversize frame, and recovers after it', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 12 }), frameArb, (garbage, cuts, frame) => {
        const d = h.make(max);
        const out = pushAll(d, split(garbage, cuts));
        for (const f of out) expect(f.length >= 1 && f.length <= max).toBe(true);
        h.resync(d);
        expect(pushAll(d, [h.encode(frame)]).at(-1)).toEqual(frame);
      }), { numRuns: 300 });
    });

    it('forgets a partial frame on reset()', () => {
      const d = h.make(max);
      const first = h.encode(new Uint8Array(max).fill(0x33));
      const whole = new Uint8Array([1, 2, 3]);
      const out = pushAll(d, [first.subarray(0, first.length >> 1)]);
      d.reset();
      out.push(...pushAll(d, [h.encode(whole)]));
      expect(out).toEqual([whole]);
    });

    it('hands out fresh frames the caller may keep, and stats as a copy', () => {
      const d = h.make(max);
      const [kept] = pushAll(d, [h.encode(Uint8Array.of(7, 7, 7))]);
      pushAll(d, [h.encode(Uint8Array.of(9, 9, 9))]);
      expect(kept).toEqual(Uint8Array.of(7, 7, 7));
      const stats = d.stats() as Record<string, unknown>;
      for (const key of Object.keys(stats)) stats[key] = -1;
      expect(Object.values(d.stats() as Record<string, unknown>)).not.toContain(-1);
    });
  });
}
