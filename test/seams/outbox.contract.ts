/**
 * Contract suite for Outbox (seams/store.ts), run against
 * every backend by contract.test.ts: ordering, idempotency, leases,
 * backoff, exactly-once removal, expiry, quotas, argument checks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MailboxOptions, Outbox, OutboxOptions, Store } from '../../node-runtime/store/index.ts';
import { QuotaExceededError, StoreArgumentError, StoreClosedError } from '../../node-runtime/store/index.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { ManualClock } from '../store/helpers.ts';
import { constantRandom, id, patterned } from '../store/helpers.ts';

export interface StoreHarness {
  readonly store: Store;
  readonly clock: ManualClock;
}

export type OpenHarness = (options?: {
  outbox?: OutboxOptions;
  mailbox?: MailboxOptions;
  random?: RandomSource;
}) => StoreHarness;

const HOUR_MS = 3_600_000;

export function outboxContract(open: OpenHarness): void {
  let opened: StoreHarness[] = [];
  const start = (options?: Parameters<OpenHarness>[0]): { outbox: Outbox; clock: ManualClock; store: Store } => {
    const h = open(options);
    opened.push(h);
    return { outbox: h.store.outbox('router'), clock: h.clock, store: h.store };
  };
  afterEach(() => {
    for (const h of opened) h.store.close();
    opened = [];
  });
  const req = (n: number, priority = 3, extra: Partial<Parameters<Outbox['enqueue']>[0]> = {}) => ({
    id: id(n),
    destination: `node-${n % 3}`,
    bytes: patterned(10 + n, n),
    priority,
    expiresAt: 1_000_000 + HOUR_MS,
    ...extra,
  });

  describe('outbox', () => {
    it('enqueue is idempotent by id and keeps the first bytes', () => {
      const { outbox } = start();
      expect(outbox.enqueue(req(1))).toBe('added');
      expect(outbox.enqueue({ ...req(1), bytes: new Uint8Array([0xde, 0xad]) })).toBe('duplicate');
      expect(outbox.get(id(1))?.bytes).toEqual(patterned(11, 1));
      expect(outbox.depth()).toEqual({ messages: 1, bytes: 11 });
    });

    it('hands out due items by priority, then oldest first, whatever the clock says', () => {
      const { outbox, clock } = start();
      const priorities = [3, 0, 7, 0, 3, 7, 1];
      priorities.forEach((p, n) => {
        outbox.enqueue(req(n, p));
        clock.advance(-10); // a clock stepping backwards must not reorder the queue
      });
      clock.advance(1000);
      expect(outbox.due(100).map((i) => i.id[0])).toEqual([1, 3, 6, 0, 4, 2, 5]);
      expect(outbox.due(2).map((i) => i.id[0])).toEqual([1, 3]);
      expect(outbox.due(100, undefined, { destination: 'node-0' }).map((i) => i.id[0])).toEqual([3, 6, 0]);
    });

    it('due() is a peek; leaseNext() hides items for leaseMs and counts attempts', () => {
      const { outbox, clock } = start({ outbox: { leaseMs: 5_000 } });
      for (let n = 0; n < 4; n++) outbox.enqueue(req(n));
      expect(outbox.due(10).map((i) => i.attempts)).toEqual([0, 0, 0, 0]);
      expect(outbox.due(10)).toHaveLength(4);
      const first = outbox.leaseNext(2);
      expect(first.map((i) => [i.id[0], i.attempts])).toEqual([[0, 1], [1, 1]]);
      expect(outbox.leaseNext(10).map((i) => i.id[0])).toEqual([2, 3]);
      expect(outbox.leaseNext(10)).toEqual([]);
      clock.advance(4_999);
      expect(outbox.due(10)).toEqual([]);
      clock.advance(1);
      expect(outbox.leaseNext(10).map((i) => [i.id[0], i.attempts])).toEqual([[0, 2], [1, 2], [2, 2], [3, 2]]);
    });

    it('respects notBefore and an explicit nowMs', () => {
      const { outbox, clock } = start();
      outbox.enqueue(req(1, 3, { notBefore: clock.now() + 500 }));
      expect(outbox.due(10)).toEqual([]);
      expect(outbox.due(10, clock.now() + 499)).toEqual([]);
      expect(outbox.due(10, clock.now() + 500).map((i) => i.id[0])).toEqual([1]);
    });

    it('markFailed with a time releases the lease and defers the item exactly', () => {
      const { outbox, clock } = start();
      outbox.enqueue(req(1));
      outbox.leaseNext(1);
      expect(outbox.markFailed(id(1), clock.now() + 10_000)).toBe(true);
      expect(outbox.get(id(1))?.nextAttemptAt).toBe(clock.now() + 10_000);
      clock.advance(9_999);
      expect(outbox.leaseNext(1)).toEqual([]);
      clock.advance(1);
      expect(outbox.leaseNext(1).map((i) => i.attempts)).toEqual([2]);
      expect(outbox.markFailed(id(99))).toBe(false);
    });

    it('markFailed without a time backs off exponentially with injected jitter', () => {
      const backoff = { baseMs: 1_000, factor: 2, maxMs: 8_000, jitter: 0.5 };
      // Random byte 0x80 then zeros: u = 0.5, so every delay is 0.75 of its ceiling.
      const { outbox, clock } = start({ outbox: { backoff, leaseMs: 1 }, random: constantRandomHalf() });
      outbox.enqueue(req(1));
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 6; attempt++) {
        const [item] = outbox.leaseNext(1);
        expect(item?.attempts).toBe(attempt);
        outbox.markFailed(id(1));
        const next = outbox.get(id(1))?.nextAttemptAt as number;
        delays.push(next - clock.now());
        clock.nowMs = next;
      }
      expect(delays).toEqual([750, 1500, 3000, 6000, 6000, 6000]);
    });

    it('markSent removes exactly once and remembers the id for the retention period', () => {
      const { outbox, clock } = start({ outbox: { sentRetentionMs: 60_000 } });
      outbox.enqueue(req(1));
      outbox.leaseNext(1);
      expect(outbox.markSent(id(1))).toBe(true);
      expect(outbox.markSent(id(1))).toBe(false);
      expect(outbox.get(id(1))).toBeUndefined();
      expect(outbox.depth()).toEqual({ messages: 0, bytes: 0 });
      expect(outbox.enqueue(req(1))).toBe('duplicate');
      clock.advance(60_000);
      expect(outbox.enqueue(req(1))).toBe('added');
      expect(outbox.markSent(id(42))).toBe(false);
    });

    it('never leases an expired item, and expire() drops and names them', () => {
      const { outbox, clock } = start();
      outbox.enqueue(req(1, 3, { expiresAt: clock.now() + 100 }));
      outbox.enqueue(req(2, 3, { expiresAt: clock.now() + 200 }));
      outbox.enqueue(req(3, 3, { expiresAt: clock.now() + 300 }));
      clock.advance(200);
      expect(outbox.due(10).map((i) => i.id[0])).toEqual([3]);
      expect(outbox.expire().map((x) => x[0])).toEqual([1, 2]);
      expect(outbox.depth().messages).toBe(1);
      expect(outbox.enqueue(req(4, 3, { expiresAt: clock.now() }))).toBe('expired');
      expect(outbox.get(id(4))).toBeUndefined();
    });

    it('a full byte quota refuses and evicts nothing', () => {
      const { outbox } = start({ outbox: { maxBytes: 100 } });
      expect(outbox.enqueue({ ...req(1), bytes: patterned(60, 1) })).toBe('added');
      let error: unknown;
      try {
        outbox.enqueue({ ...req(2), bytes: patterned(41, 2) });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(QuotaExceededError);
      expect(error).toMatchObject({ code: 'quota-exceeded', quota: 'outbox-bytes', limit: 100, used: 60 });
      expect(outbox.depth()).toEqual({ messages: 1, bytes: 60 });
      expect(outbox.get(id(1))?.bytes).toEqual(patterned(60, 1));
      expect(outbox.enqueue({ ...req(3), bytes: patterned(40, 3) })).toBe('added');
    });

    it('a full message quota refuses until an item is sent or expires', () => {
      const { outbox, clock } = start({ outbox: { maxMessages: 2 } });
      outbox.enqueue(req(1));
      outbox.enqueue(req(2, 3, { expiresAt: clock.now() + 10 }));
      expect(() => outbox.enqueue(req(3))).toThrow(expect.objectContaining({ quota: 'outbox-messages', limit: 2 }));
      outbox.markSent(id(1));
      expect(outbox.enqueue(req(3))).toBe('added');
      expect(() => outbox.enqueue(req(4))).toThrow(QuotaExceededError);
      clock.advance(10); // item 2 expired: it no longer holds a place
      expect(outbox.enqueue(req(4))).toBe('added');
      expect(outbox.due(10).map((i) => i.id[0])).toEqual([3, 4]);
    });

    it('keeps queues apart', () => {
      const { store } = start();
      const a = store.outbox('router');
      const b = store.outbox('gateway');
      expect(a.enqueue(req(1))).toBe('added');
      expect(b.enqueue(req(1))).toBe('added');
      a.leaseNext(10);
      expect(b.due(10).map((i) => i.attempts)).toEqual([0]);
      a.markSent(id(1));
      expect(b.get(id(1))).toBeDefined();
      expect(b.depth().messages).toBe(1);
      expect(a.depth().messages).toBe(0);
    });

    it('accepts the longest queue name, whose sent log has a longer namespace', () => {
      const { store } = start();
      const q = store.outbox('q'.repeat(64));
      q.enqueue(req(1));
      expect(q.markSent(id(1))).toBe(true);
      expect(q.enqueue(req(1))).toBe('duplicate');
    });

    it('copies buffers in and out', () => {
      const { outbox } = start();
      const r = req(5);
      const ref = r.bytes.slice();
      outbox.enqueue(r);
      r.bytes.fill(0);
      r.id[0] = 6;
      const got = outbox.get(id(5));
      expect(got?.bytes).toEqual(ref);
      got?.bytes.fill(1);
      expect(outbox.get(id(5))?.bytes).toEqual(ref);
    });

    it('depth() per destination sums sizes', () => {
      const { outbox } = start();
      for (let n = 0; n < 6; n++) outbox.enqueue(req(n));
      // node-0 holds ids 0 and 3: sizes 10 and 13.
      expect(outbox.depth({ destination: 'node-0' })).toEqual({ messages: 2, bytes: 23 });
      expect(outbox.depth()).toEqual({ messages: 6, bytes: 10 + 11 + 12 + 13 + 14 + 15 });
    });

    it('keeps a mailbox tag beside the envelope, copied in and out, and counts only the envelope', () => {
      const { outbox } = start();
      const tag = patterned(16, 7);
      const ref = tag.slice();
      expect(outbox.enqueue(req(1, 3, { tag }))).toBe('added');
      expect(outbox.enqueue(req(2))).toBe('added');
      tag.fill(0);
      const [tagged, plain] = outbox.leaseNext(10);
      expect(tagged?.tag).toEqual(ref);
      expect(tagged?.bytes).toEqual(patterned(11, 1));
      expect(plain?.tag).toBeUndefined();
      expect(plain && 'tag' in plain).toBe(false);
      tagged?.tag?.fill(1);
      expect(outbox.get(id(1))?.tag).toEqual(ref);
      expect(outbox.depth()).toEqual({ messages: 2, bytes: 11 + 12 });
      for (const length of [4, 32]) expect(outbox.enqueue(req(10 + length, 3, { tag: new Uint8Array(length) }))).toBe('added');
    });

    it('refuses a mailbox tag outside 4..32 bytes with StoreArgumentError and writes nothing', () => {
      const { outbox } = start();
      for (const tag of [new Uint8Array(3), new Uint8Array(33), 'tag' as unknown as Uint8Array]) {
        expect(() => outbox.enqueue(req(1, 3, { tag }))).toThrow(StoreArgumentError);
      }
      expect(outbox.depth()).toEqual({ messages: 0, bytes: 0 });
    });

    it('rejects bad arguments with StoreArgumentError and writes nothing', () => {
      const { outbox, store } = start();
      const bad: Array<() => unknown> = [
        () => outbox.enqueue(req(1, 3, { id: new Uint8Array(0) })),
        () => outbox.enqueue(req(1, 3, { id: new Uint8Array(65) })),
        () => outbox.enqueue(req(1, 8)),
        () => outbox.enqueue(req(1, -1)),
        () => outbox.enqueue(req(1, 1.5)),
        () => outbox.enqueue(req(1, 3, { destination: '' })),
        () => outbox.enqueue(req(1, 3, { destination: 'x'.repeat(513) })),
        () => outbox.enqueue(req(1, 3, { expiresAt: Number.NaN })),
        () => outbox.enqueue(req(1, 3, { expiresAt: -1 })),
        () => outbox.enqueue(req(1, 3, { bytes: 'hello' as unknown as Uint8Array })),
        () => outbox.enqueue(req(1, 3, { bytes: new Uint8Array(1024 * 1024 + 1) })),
        () => outbox.due(0),
        () => outbox.leaseNext(10_001),
        () => outbox.markSent('01' as unknown as Uint8Array),
        () => outbox.markFailed(id(1), Number.POSITIVE_INFINITY),
        () => store.outbox(''),
        () => store.outbox('q'.repeat(65)),
        () => store.outbox('x', { maxBytes: 0 }),
        () => store.outbox('x', { backoff: { baseMs: 10, factor: 0.5, maxMs: 100, jitter: 0 } }),
        () => store.outbox('x', { backoff: { baseMs: 10, factor: 2, maxMs: 100, jitter: 2 } }),
      ];
      bad.forEach((f, i) => {
        expect(f, `case ${i}`).toThrow(StoreArgumentError);
      });
      expect(outbox.depth()).toEqual({ messages: 0, bytes: 0 });
    });

    it('throws StoreClosedError after close, and close is idempotent', () => {
      const h = open();
      const outbox = h.store.outbox('router');
      outbox.enqueue(req(1));
      h.store.close();
      h.store.close();
      for (const f of [() => outbox.enqueue(req(2)), () => outbox.due(1), () => outbox.depth(), () => h.store.outbox('x')]) {
        expect(f).toThrow(StoreClosedError);
      }
    });
  });
}

/** First byte 0x80, the rest 0: the uniform draw is exactly 0.5. */
function constantRandomHalf(): RandomSource {
  const zero = constantRandom(0);
  return {
    bytes: (n) => {
      const b = zero.bytes(n);
      b[0] = 0x80;
      return b;
    },
  };
}
