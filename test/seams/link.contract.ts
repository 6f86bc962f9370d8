/**
 * The Link contract suite (STYLE.md rule 9): one set of tests, run against
 * every Link implementation (simulated radio, LoRa HAT, serial, UDP), that
 * checks the contract written in seams/link.ts.
 *
 * Usage, from any test file:
 *
 *   import { describeLinkContract } from './link.contract.ts';
 *   describeLinkContract('udp on loopback', async () => {
 *     const a = ...; const b = ...;            // two links that hear each other
 *     return { a, b, cleanup: async () => { await a.close(); await b.close(); } };
 *   });
 *
 * `makePair` is called once per test, so every test starts from fresh links
 * with zeroed stats. The suite registers its own handlers with onFrame() on
 * both links right after makePair() resolves.
 *
 * What the suite asserts, beyond link.ts:
 *  - stats count mesh frames and mesh-frame bytes (not the framing a medium
 *    adds): after a sends frames f1..fk, a.stats().framesSent === k and
 *    bytesSent === sum of |fi|; b's framesReceived / bytesReceived count the
 *    frames it delivered to its handler.
 *  - a rejected send (too large, closed) counts nothing.
 *  - frames 1..mtu bytes long pass, including every byte value (0x00, 0xC0,
 *    0xDB... are framing bytes on serial media).
 *
 * Simulated clocks: pass `advance(ms)` that moves the link's clock (and runs
 * its timers); the suite calls it whenever it waits. By default it waits in
 * real time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameTooLargeError, LinkClosedError, type Link, type ReceivedFrame } from '../../seams/link.ts';

export interface LinkPair {
  a: Link;
  b: Link;
  cleanup(): Promise<void>;
}

export interface LinkContractOptions {
  /**
   * For lossy media: how many times a test may send a fresh frame until one
   * arrives (default 1: the medium must deliver every frame). Even on a lossy
   * medium, a frame that arrives arrives once, whole and byte-exact.
   */
  attempts?: number;
  /** How long to wait for one frame to arrive, in ms of the link's clock (default 3000). */
  deliveryTimeoutMs?: number;
  /** How long to keep listening for a duplicate or an echo, in ms of the link's clock (default 150). */
  quietPeriodMs?: number;
  /** Moves the link's clock forward by `ms`; default: wait `ms` of real time. */
  advance?: (ms: number) => Promise<void>;
  /** Step used while polling for a frame, in ms (default 10). */
  pollStepMs?: number;
  /**
   * For a burst of frames sent back to back: how many a lossy medium must
   * deliver at least (default: all of them when attempts is 1, else 1).
   */
  burstMinimumDelivered?: number;
  /** Number of frames in the burst test (default 20). */
  burstSize?: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Deterministic test bytes: every frame differs, and the pattern walks through all 256 byte values. */
function patternFrame(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i) >>> 0;
    out[i] = (x ^ (x >>> 12)) & 0xff;
  }
  // A tag in the first bytes keeps frames of the same length distinct.
  if (length >= 1) out[0] = seed & 0xff;
  if (length >= 2) out[1] = (seed >>> 8) & 0xff;
  return out;
}

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A handler that records what a link delivers, copying the bytes (a link may reuse its buffers). */
class Inbox {
  readonly frames: ReceivedFrame[] = [];
  readonly bytes: Uint8Array[] = [];
  readonly handler = (frame: ReceivedFrame): void => {
    this.frames.push(frame);
    this.bytes.push(Uint8Array.from(frame.bytes));
  };

  count(frame: Uint8Array): number {
    let n = 0;
    for (const b of this.bytes) if (sameBytes(b, frame)) n++;
    return n;
  }
}

export function describeLinkContract(
  name: string,
  makePair: () => Promise<LinkPair>,
  options: LinkContractOptions = {},
): void {
  const attempts = options.attempts ?? 1;
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 3000;
  const quietPeriodMs = options.quietPeriodMs ?? 150;
  const advance = options.advance ?? realSleep;
  const pollStepMs = options.pollStepMs ?? 10;
  const burstSize = options.burstSize ?? 20;
  const burstMinimum = options.burstMinimumDelivered ?? (attempts === 1 ? burstSize : 1);

  describe(`Link contract: ${name}`, () => {
    let pair: LinkPair;
    let inboxA: Inbox;
    let inboxB: Inbox;
    let seed = 1;

    beforeEach(async () => {
      pair = await makePair();
      inboxA = new Inbox();
      inboxB = new Inbox();
      pair.a.onFrame(inboxA.handler);
      pair.b.onFrame(inboxB.handler);
    });

    afterEach(async () => {
      await pair.cleanup();
    });

    async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
      let waited = 0;
      while (!predicate()) {
        if (waited >= timeoutMs) return false;
        await advance(pollStepMs);
        waited += pollStepMs;
      }
      return true;
    }

    /**
     * Sends fresh frames of `length` from `from` until one reaches `inbox`
     * (up to `attempts`); returns every frame sent and the one delivered.
     */
    async function deliverOne(from: Link, inbox: Inbox, length: number): Promise<{ sent: Uint8Array[]; delivered: Uint8Array }> {
      const sent: Uint8Array[] = [];
      for (let i = 0; i < attempts; i++) {
        const frame = patternFrame(length, seed++);
        sent.push(frame);
        await from.send(frame);
        const arrived = await waitUntil(() => inbox.count(frame) > 0, deliveryTimeoutMs);
        if (arrived) return { sent, delivered: frame };
      }
      throw new Error(`no frame of ${length} bytes arrived after ${attempts} attempt(s) of ${deliveryTimeoutMs} ms`);
    }

    it('describes itself: id, kind, a positive integer mtu, a finite non-decreasing airtime', () => {
      for (const link of [pair.a, pair.b]) {
        expect(typeof link.id).toBe('string');
        expect(link.id.length).toBeGreaterThan(0);
        expect(['sim-radio', 'lora', 'serial', 'udp', 'kiss', 'rnode']).toContain(link.kind);
        expect(Number.isInteger(link.mtu)).toBe(true);
        expect(link.mtu).toBeGreaterThan(0);
        let previous = 0;
        for (const length of [1, Math.max(1, link.mtu >> 1), link.mtu]) {
          const ms = link.airtimeMs(length);
          expect(Number.isFinite(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(previous);
          previous = ms;
        }
      }
      expect(pair.a.id).not.toBe(pair.b.id);
    });

    it('starts with zeroed stats', () => {
      for (const link of [pair.a, pair.b]) {
        expect(link.stats()).toMatchObject({ framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0 });
      }
    });

    it('carries a frame from a to b whole, byte-exact and once, and not back to a', async () => {
      const { delivered } = await deliverOne(pair.a, inboxB, 32);
      await advance(quietPeriodMs);
      expect(inboxB.count(delivered)).toBe(1);
      expect(inboxA.bytes).toHaveLength(0);
      // Only frames a sent may arrive, never anything else.
      for (const got of inboxB.bytes) expect(got.length).toBe(32);
    });

    it('carries frames from b to a as well', async () => {
      const { delivered } = await deliverOne(pair.b, inboxA, 17);
      await advance(quietPeriodMs);
      expect(inboxA.count(delivered)).toBe(1);
      expect(inboxB.bytes).toHaveLength(0);
    });

    it('passes frames of 1, 2, mtu - 1 and mtu bytes exactly', async () => {
      const mtu = Math.min(pair.a.mtu, pair.b.mtu);
      const lengths = [...new Set([1, 2, Math.max(1, mtu - 1), mtu])];
      for (const length of lengths) {
        const { delivered } = await deliverOne(pair.a, inboxB, length);
        expect(hexOf(inboxB.bytes.find((b) => sameBytes(b, delivered)) ?? new Uint8Array(0))).toBe(hexOf(delivered));
      }
      await advance(quietPeriodMs);
      for (const got of inboxB.bytes) expect(inboxB.count(got)).toBe(1);
    });

    it('passes every byte value, framing bytes included', async () => {
      const mtu = Math.min(pair.a.mtu, pair.b.mtu);
      const special = [0xc0, 0xdb, 0xdc, 0xdd, 0x00, 0xff, 0x7e, 0x7d, 0x0a, 0x0d];
      const all = new Uint8Array(256);
      for (let i = 0; i < 256; i++) all[i] = i;
      const frames: Uint8Array[] = [];
      for (let at = 0; at < all.length; at += mtu) frames.push(all.slice(at, at + mtu));
      frames.push(Uint8Array.from(special.slice(0, mtu)));
      frames.push(new Uint8Array(Math.min(mtu, 64)).fill(0xc0));
      frames.push(new Uint8Array(Math.min(mtu, 64)).fill(0xdb));
      for (const frame of frames) {
        let arrived = false;
        for (let i = 0; i < attempts && !arrived; i++) {
          await pair.a.send(frame);
          arrived = await waitUntil(() => inboxB.count(frame) > 0, deliveryTimeoutMs);
        }
        expect(arrived, `frame ${hexOf(frame).slice(0, 32)}... of ${frame.length} bytes`).toBe(true);
      }
    });

    it('rejects a frame over mtu with FrameTooLargeError, sends nothing and counts nothing', async () => {
      const tooBig = patternFrame(pair.a.mtu + 1, seed++);
      const error = await pair.a.send(tooBig).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(FrameTooLargeError);
      expect((error as FrameTooLargeError).code).toBe('frame-too-large');
      const muchTooBig = new Uint8Array(pair.a.mtu * 4 + 7);
      await expect(pair.a.send(muchTooBig)).rejects.toBeInstanceOf(FrameTooLargeError);
      await advance(quietPeriodMs);
      expect(inboxB.bytes).toHaveLength(0);
      expect(pair.a.stats()).toMatchObject({ framesSent: 0, bytesSent: 0 });
      // The link still works afterwards.
      await deliverOne(pair.a, inboxB, 8);
    });

    it('counts frames and bytes on both sides', async () => {
      const sent: Uint8Array[] = [];
      for (let i = 0; i < 5; i++) {
        const { sent: s } = await deliverOne(pair.a, inboxB, 10 + i);
        sent.push(...s);
      }
      await advance(quietPeriodMs);
      const a = pair.a.stats();
      const b = pair.b.stats();
      expect(a.framesSent).toBe(sent.length);
      expect(a.bytesSent).toBe(sent.reduce((n, f) => n + f.length, 0));
      expect(b.framesReceived).toBe(inboxB.bytes.length);
      expect(b.bytesReceived).toBe(inboxB.bytes.reduce((n, f) => n + f.length, 0));
      expect(b.framesSent).toBe(0);
      expect(a.framesReceived).toBe(0);
      expect(a.framesDropped).toBe(0);
      expect(b.framesDropped).toBeGreaterThanOrEqual(0);
    });

    it('delivers a burst of frames sent back to back, each once and intact', async () => {
      const frames = Array.from({ length: burstSize }, (_, i) => patternFrame(20 + (i % 40), seed++));
      await Promise.all(frames.map((f) => pair.a.send(f)));
      await waitUntil(() => frames.every((f) => inboxB.count(f) > 0), deliveryTimeoutMs);
      await advance(quietPeriodMs);
      const delivered = frames.filter((f) => inboxB.count(f) > 0).length;
      expect(delivered).toBeGreaterThanOrEqual(burstMinimum);
      for (const got of inboxB.bytes) {
        // Nothing merged, split or invented: every frame received is one that was sent, once.
        expect(frames.some((f) => sameBytes(f, got)), `unexpected frame ${hexOf(got)}`).toBe(true);
        expect(inboxB.count(got)).toBe(1);
      }
      expect(pair.a.stats().framesSent).toBe(burstSize);
    });

    it('rejects send() after close() with LinkClosedError and counts nothing', async () => {
      await pair.a.close();
      const error = await pair.a.send(patternFrame(8, seed++)).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(LinkClosedError);
      expect((error as LinkClosedError).code).toBe('link-closed');
      expect(pair.a.stats().framesSent).toBe(0);
    });

    it('closes idempotently', async () => {
      await pair.a.close();
      await pair.a.close();
      await Promise.all([pair.b.close(), pair.b.close()]);
      await expect(pair.b.send(patternFrame(4, seed++))).rejects.toBeInstanceOf(LinkClosedError);
    });

    it('calls no handler after close()', async () => {
      await deliverOne(pair.a, inboxB, 12);
      await pair.b.close();
      const before = inboxB.bytes.length;
      for (let i = 0; i < 3; i++) {
        // The sender's medium may or may not notice the receiver is gone; both are fine.
        await pair.a.send(patternFrame(12, seed++)).catch(() => undefined);
      }
      await advance(quietPeriodMs + pollStepMs * 5);
      expect(inboxB.bytes.length).toBe(before);
    });

    it('does not deliver to a closed sender\'s own handler either', async () => {
      await pair.a.close();
      await pair.b.send(patternFrame(9, seed++)).catch(() => undefined);
      await advance(quietPeriodMs);
      expect(inboxA.bytes).toHaveLength(0);
    });
  });
}
