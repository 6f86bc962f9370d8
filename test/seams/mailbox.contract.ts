/**
 * Contract suite for MailboxStore, SeenLog and the Store's batch/expireAll
 * (seams/store.ts), run against every backend by
 * contract.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MailboxStore, Store } from '../../node-runtime/store/index.ts';
import { QuotaExceededError, StoreArgumentError, StoreClosedError } from '../../node-runtime/store/index.ts';
import type { OpenHarness, StoreHarness } from './outbox.contract.ts';
import type { ManualClock } from '../store/helpers.ts';
import { id, patterned } from '../store/helpers.ts';

const DAY_MS = 86_400_000;
const tagA = new Uint8Array([0xa1, 0xa2, 0xa3, 0xa4]);
const tagB = new Uint8Array(32).fill(0xbb);

export function mailboxContract(open: OpenHarness): void {
  let opened: StoreHarness[] = [];
  const start = (options?: Parameters<OpenHarness>[0]): { mailboxes: MailboxStore; clock: ManualClock; store: Store } => {
    const h = open(options);
    opened.push(h);
    return { mailboxes: h.store.mailboxes, clock: h.clock, store: h.store };
  };
  afterEach(() => {
    for (const h of opened) h.store.close();
    opened = [];
  });

  describe('mailboxes', () => {
    it('stores once by (tag, id) and keeps the first bytes', () => {
      const { mailboxes } = start();
      expect(mailboxes.deposit(tagA, id(1), patterned(50, 1))).toBe('stored');
      expect(mailboxes.deposit(tagA, id(1), patterned(50, 2))).toBe('duplicate');
      expect(mailboxes.deposit(tagB, id(1), patterned(50, 3))).toBe('stored');
      const [m] = mailboxes.list(tagA, { limit: 10 });
      expect(m?.bytes).toEqual(patterned(50, 1));
      expect(m?.tag).toEqual(tagA);
      expect(mailboxes.counts(tagA)).toEqual({ messages: 1, bytes: 50 });
      expect(mailboxes.totals()).toEqual({ mailboxes: 2, messages: 2, bytes: 100 });
    });

    it('lists oldest first and pages with cursors, without repeats or gaps', () => {
      const { mailboxes, clock } = start();
      for (let n = 0; n < 25; n++) {
        mailboxes.deposit(tagA, id(n), patterned(n, n));
        if (n % 2 === 0) mailboxes.deposit(tagB, id(n), patterned(3, n));
        clock.advance(-1); // enqueue order, not clock order
      }
      const seen: number[] = [];
      let after: number | undefined;
      for (;;) {
        const page = mailboxes.list(tagA, after === undefined ? { limit: 10 } : { limit: 10, after });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(10);
        for (const m of page) {
          seen.push(m.id[0] as number);
          expect(m.bytes).toEqual(patterned(m.id[0] as number, m.id[0] as number));
        }
        after = page[page.length - 1]?.cursor;
      }
      expect(seen).toEqual(Array.from({ length: 25 }, (_, n) => n));
    });

    it('delete removes, counts, and a late duplicate is not stored again', () => {
      const { mailboxes } = start();
      for (let n = 0; n < 5; n++) mailboxes.deposit(tagA, id(n), patterned(10, n));
      expect(mailboxes.delete(tagA, [id(1), id(3), id(9)])).toBe(2);
      expect(mailboxes.list(tagA, { limit: 10 }).map((m) => m.id[0])).toEqual([0, 2, 4]);
      expect(mailboxes.deposit(tagA, id(1), patterned(10, 1))).toBe('duplicate');
      // Acknowledged though never stored here: a copy arriving later is stale too.
      expect(mailboxes.deposit(tagA, id(9), patterned(10, 9))).toBe('duplicate');
      // Another mailbox is another namespace.
      expect(mailboxes.deposit(tagB, id(1), patterned(10, 1))).toBe('stored');
      expect(mailboxes.counts(tagA)).toEqual({ messages: 3, bytes: 30 });
    });

    it('forgets a delivered id after the seen retention', () => {
      const { mailboxes, clock } = start({ mailbox: { seenRetentionMs: DAY_MS } });
      mailboxes.deposit(tagA, id(1), patterned(10, 1));
      mailboxes.delete(tagA, [id(1)]);
      clock.advance(DAY_MS - 1);
      expect(mailboxes.deposit(tagA, id(1), patterned(10, 1))).toBe('duplicate');
      clock.advance(1);
      expect(mailboxes.deposit(tagA, id(1), patterned(10, 1))).toBe('stored');
    });

    it('expires per message: default TTL, explicit, clamped, and hidden before the sweep', () => {
      const { mailboxes, clock } = start({ mailbox: { defaultTtlMs: DAY_MS, maxTtlMs: 3 * DAY_MS } });
      const t0 = clock.now();
      mailboxes.deposit(tagA, id(1), patterned(4, 1));
      mailboxes.deposit(tagA, id(2), patterned(4, 2), undefined, { expiresAt: t0 + 2 * DAY_MS });
      mailboxes.deposit(tagA, id(3), patterned(4, 3), undefined, { expiresAt: t0 + 100 * DAY_MS });
      expect(mailboxes.list(tagA, { limit: 10 }).map((m) => m.expiresAt)).toEqual([t0 + DAY_MS, t0 + 2 * DAY_MS, t0 + 3 * DAY_MS]);
      expect(mailboxes.deposit(tagA, id(4), patterned(4, 4), undefined, { expiresAt: t0 })).toBe('expired');
      clock.advance(DAY_MS);
      expect(mailboxes.list(tagA, { limit: 10 }).map((m) => m.id[0])).toEqual([2, 3]);
      expect(mailboxes.counts(tagA).messages).toBe(3); // not swept yet
      expect(mailboxes.expire()).toBe(1);
      expect(mailboxes.counts(tagA)).toEqual({ messages: 2, bytes: 8 });
      expect(mailboxes.deposit(tagA, id(1), patterned(4, 1))).toBe('duplicate');
      clock.advance(2 * DAY_MS);
      expect(mailboxes.expire()).toBe(2);
      expect(mailboxes.totals()).toEqual({ mailboxes: 0, messages: 0, bytes: 0 });
    });

    it('refuses over each quota, names it, and evicts nothing', () => {
      const cases = [
        { mailbox: { maxMessagesPerMailbox: 3 }, quota: 'mailbox-messages', limit: 3, used: 3 },
        { mailbox: { maxBytesPerMailbox: 35 }, quota: 'mailbox-bytes', limit: 35, used: 30 },
        { mailbox: { maxMessagesTotal: 4 }, quota: 'mailboxes-total-messages', limit: 4, used: 4 },
        { mailbox: { maxBytesTotal: 45 }, quota: 'mailboxes-total-bytes', limit: 45, used: 40 },
      ] as const;
      for (const c of cases) {
        const { mailboxes } = start({ mailbox: c.mailbox });
        for (let n = 0; n < 3; n++) expect(mailboxes.deposit(tagA, id(n), patterned(10, n))).toBe('stored');
        if (c.quota.startsWith('mailboxes-total')) expect(mailboxes.deposit(tagB, id(0), patterned(10, 0))).toBe('stored');
        const target = c.quota.startsWith('mailboxes-total') ? tagB : tagA;
        let error: unknown;
        try {
          mailboxes.deposit(target, id(7), patterned(10, 7));
        } catch (e) {
          error = e;
        }
        expect(error, c.quota).toBeInstanceOf(QuotaExceededError);
        expect(error).toMatchObject({ name: 'QuotaExceededError', code: 'quota-exceeded', quota: c.quota, limit: c.limit, used: c.used });
        expect(mailboxes.list(tagA, { limit: 10 }).map((m) => m.id[0])).toEqual([0, 1, 2]);
        // A refused id is not remembered: it may be deposited once there is room.
        mailboxes.delete(tagA, [id(0)]);
        expect(mailboxes.deposit(target, id(7), patterned(10, 7))).toBe('stored');
      }
    });

    it('expired messages make room before a quota refuses', () => {
      const { mailboxes, clock } = start({ mailbox: { maxMessagesPerMailbox: 2, maxMessagesTotal: 3 } });
      mailboxes.deposit(tagA, id(1), patterned(5, 1), undefined, { expiresAt: clock.now() + 10 });
      mailboxes.deposit(tagA, id(2), patterned(5, 2));
      mailboxes.deposit(tagB, id(1), patterned(5, 1), undefined, { expiresAt: clock.now() + 10 });
      expect(() => mailboxes.deposit(tagA, id(3), patterned(5, 3))).toThrow(QuotaExceededError);
      clock.advance(10);
      expect(mailboxes.deposit(tagA, id(3), patterned(5, 3))).toBe('stored');
      // tagB's expired message held the last global place: swept, not evicted.
      expect(mailboxes.deposit(new Uint8Array([9, 9, 9, 9]), id(1), patterned(5, 1))).toBe('stored');
      expect(mailboxes.totals()).toEqual({ mailboxes: 2, messages: 3, bytes: 15 });
      expect(mailboxes.deposit(tagA, id(1), patterned(5, 1))).toBe('duplicate'); // expired ids are remembered
    });

    it('rejects bad arguments and writes nothing', () => {
      const { mailboxes } = start();
      const bad: Array<() => unknown> = [
        () => mailboxes.deposit(new Uint8Array(3), id(1), patterned(1, 1)),
        () => mailboxes.deposit(new Uint8Array(33), id(1), patterned(1, 1)),
        () => mailboxes.deposit(tagA, new Uint8Array(0), patterned(1, 1)),
        () => mailboxes.deposit(tagA, id(1), [1, 2] as unknown as Uint8Array),
        () => mailboxes.deposit(tagA, id(1), patterned(1, 1), -5),
        () => mailboxes.deposit(tagA, id(1), patterned(1, 1), undefined, { expiresAt: Number.NaN }),
        () => mailboxes.list(tagA, { limit: 0 }),
        () => mailboxes.list(tagA, { limit: 10, after: -1 }),
        () => mailboxes.list(tagA, undefined as unknown as { limit: number }),
        () => mailboxes.delete(tagA, [id(1), new Uint8Array(0)]),
        () => mailboxes.delete(tagA, Array.from({ length: 10_001 }, () => id(1))),
        () => mailboxes.counts(new Uint8Array(2)),
      ];
      bad.forEach((f, i) => expect(f, `case ${i}`).toThrow(StoreArgumentError));
      expect(mailboxes.totals()).toEqual({ mailboxes: 0, messages: 0, bytes: 0 });
      // The half-valid delete above must not have marked id(1) as delivered.
      expect(mailboxes.deposit(tagA, id(1), patterned(1, 1))).toBe('stored');
    });

    it('accepts tags of 4 and 32 bytes and empty messages', () => {
      const { mailboxes } = start();
      expect(mailboxes.deposit(new Uint8Array(4), id(1), new Uint8Array(0))).toBe('stored');
      expect(mailboxes.deposit(new Uint8Array(32), id(1), new Uint8Array(0))).toBe('stored');
      expect(mailboxes.list(new Uint8Array(32), { limit: 1 })[0]?.bytes).toEqual(new Uint8Array(0));
    });
  });

  describe('seen log', () => {
    it('adds once, extends to the later expiry, purges, and keeps namespaces apart', () => {
      const { store, clock } = start();
      const a = store.seenLog('relay.fetch-nonce');
      const b = store.seenLog('other');
      const t = clock.now();
      expect(a.add(id(1), t + 100)).toBe('added');
      expect(a.add(id(1), t + 50)).toBe('seen');
      expect(a.add(id(1), t + 300)).toBe('seen');
      expect(b.has(id(1))).toBe(false);
      expect(a.has(id(1), t + 299)).toBe(true);
      expect(a.has(id(1), t + 300)).toBe(false);
      expect(a.add(id(2), t + 10)).toBe('added');
      expect(a.count()).toBe(2);
      expect(a.purge(t + 10)).toBe(1);
      expect(a.count()).toBe(1);
      clock.advance(300);
      expect(a.add(id(1), t + 400)).toBe('added'); // an expired entry does not count as seen
      expect(() => store.seenLog('')).toThrow(StoreArgumentError);
      expect(() => store.seenLog('mailbox')).toThrow(StoreArgumentError);
      expect(() => store.seenLog('outbox.sent:router')).toThrow(StoreArgumentError);
      expect(() => a.add(new Uint8Array(0), t)).toThrow(StoreArgumentError);
    });
  });

  describe('store', () => {
    it('batch() commits all writes together or none', () => {
      const { store } = start();
      const outbox = store.outbox('router');
      store.batch(() => {
        store.mailboxes.deposit(tagA, id(1), patterned(5, 1));
        outbox.enqueue({ id: id(1), destination: 'x', bytes: patterned(5, 1), priority: 0, expiresAt: 9e12 });
      });
      expect(() =>
        store.batch(() => {
          store.mailboxes.deposit(tagA, id(2), patterned(5, 2));
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(() => store.batch(() => Promise.resolve(store.mailboxes.deposit(tagA, id(3), patterned(5, 3))))).toThrow(
        StoreArgumentError,
      );
      expect(store.mailboxes.list(tagA, { limit: 10 }).map((m) => m.id[0])).toEqual([1]);
      expect(outbox.depth().messages).toBe(1);
    });

    it('expireAll() sweeps every queue, mailbox and seen log', () => {
      const { store, clock } = start({ outbox: { sentRetentionMs: 5 }, mailbox: { seenRetentionMs: 5 } });
      const t = clock.now();
      const q1 = store.outbox('a');
      const q2 = store.outbox('b');
      q1.enqueue({ id: id(1), destination: 'x', bytes: patterned(5, 1), priority: 0, expiresAt: t + 10 });
      q2.enqueue({ id: id(1), destination: 'x', bytes: patterned(5, 1), priority: 0, expiresAt: t + 10 });
      q2.enqueue({ id: id(2), destination: 'x', bytes: patterned(5, 1), priority: 0, expiresAt: t + 10 });
      q2.markSent(id(2));
      store.mailboxes.deposit(tagA, id(1), patterned(5, 1), undefined, { expiresAt: t + 10 });
      store.seenLog('n').add(id(1), t + 10);
      clock.advance(10);
      // q1 id 1, q2 id 1 expire; mailbox message expires; seen: q2's sent id (t+5) and 'n' (t+10).
      expect(store.expireAll()).toEqual({ outboxExpired: 2, mailboxExpired: 1, seenPurged: 2 });
      clock.advance(5);
      expect(store.expireAll()).toEqual({ outboxExpired: 0, mailboxExpired: 0, seenPurged: 1 });
    });

    it('throws StoreClosedError after close', () => {
      const h = open();
      const m = h.store.mailboxes;
      const log = h.store.seenLog('n');
      h.store.close();
      const calls = [() => m.deposit(tagA, id(1), patterned(1, 1)), () => m.list(tagA, { limit: 1 }), () => m.totals(),
        () => log.has(id(1)), () => h.store.batch(() => 1), () => h.store.expireAll(), () => h.store.info()];
      for (const f of calls) expect(f).toThrow(StoreClosedError);
    });
  });
}
