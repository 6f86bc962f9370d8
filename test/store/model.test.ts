/**
 * Model-based property tests: random sequences of operations run against
 * the SQLite store and against a few lines of plain TypeScript that state
 * the contract (./store-model.ts); every answer must match, step by step.
 * Quotas are tiny so that refusals, sweeps of expired messages and the
 * seen log are exercised in most runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Outbox } from '../../node-runtime/store/index.ts';
import { openStore } from '../../node-runtime/store/index.ts';
import { constantRandom, hex, ManualClock, patterned } from './helpers.ts';
import type { MailboxOp, OutboxOp } from './store-model.ts';
import { MailboxModel, mailboxOpArb, OutboxModel, outboxOpArb } from './store-model.ts';

const TAGS = [new Uint8Array([1, 1, 1, 1]), new Uint8Array(32).fill(2), new Uint8Array([3, 3, 3, 3, 3])];
const mailboxOptions = {
  maxMessagesPerMailbox: 4,
  maxBytesPerMailbox: 120,
  maxMessagesTotal: 9,
  maxBytesTotal: 250,
  defaultTtlMs: 50,
  maxTtlMs: 80,
  seenRetentionMs: 60,
};
const outboxOptions = {
  maxMessages: 6,
  maxBytes: 150,
  leaseMs: 20,
  sentRetentionMs: 40,
  backoff: { baseMs: 5, factor: 2, maxMs: 30, jitter: 0.5 },
};

/** Runs one outcome producer and turns a thrown store error into a comparable value. */
function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    const err = e as { name?: string; quota?: string; limit?: number; used?: number };
    return { threw: err.name, quota: err.quota, limit: err.limit, used: err.used };
  }
}

const runs = { numRuns: 300 };

describe('mailbox store against its model', () => {
  it('answers every operation sequence as the model does', () => {
    fc.assert(
      fc.property(fc.array(mailboxOpArb(TAGS.length), { minLength: 1, maxLength: 60 }), (ops: MailboxOp[]) => {
        const clock = new ManualClock(1000);
        const store = openStore({ path: ':memory:', clock, random: constantRandom(0), mailbox: mailboxOptions });
        const model = new MailboxModel(mailboxOptions);
        try {
          ops.forEach((op, step) => {
            const now = clock.now();
            const tag = TAGS['tag' in op ? op.tag : 0] as Uint8Array;
            let real: unknown;
            let expected: unknown;
            switch (op.kind) {
              case 'deposit': {
                const bytes = patterned(op.size, op.id);
                const options = op.ttl === undefined ? undefined : { expiresAt: now + op.ttl };
                real = outcome(() => store.mailboxes.deposit(tag, new Uint8Array([op.id]), bytes, undefined, options));
                expected = outcome(() => model.deposit(hex(tag), op.id, op.size, now, op.ttl));
                break;
              }
              case 'delete':
                real = store.mailboxes.delete(tag, op.ids.map((i) => new Uint8Array([i])));
                expected = model.delete(hex(tag), op.ids, now);
                break;
              case 'expire':
                real = store.mailboxes.expire();
                expected = model.expire(now);
                break;
              case 'advance':
                clock.advance(op.ms);
                break;
            }
            expect(real, `step ${step} ${JSON.stringify(op)}`).toEqual(expected);
            for (const t of TAGS) {
              const listed = store.mailboxes.list(t, { limit: 100 }).map((m) => [m.id[0], m.bytes.length, m.expiresAt]);
              expect(listed, `list after step ${step}`).toEqual(model.list(hex(t), clock.now()));
              expect(store.mailboxes.counts(t)).toEqual(model.counts(hex(t)));
            }
            expect(store.mailboxes.totals()).toEqual(model.totals());
          });
        } finally {
          store.close();
        }
      }),
      runs,
    );
  });
});

describe('outbox against its model', () => {
  it('answers every operation sequence as the model does', () => {
    fc.assert(
      fc.property(fc.array(outboxOpArb(), { minLength: 1, maxLength: 60 }), (ops: OutboxOp[]) => {
        const clock = new ManualClock(1000);
        // Random bytes of zero: the jitter draw is 0, so each backoff is exactly its ceiling.
        const store = openStore({ path: ':memory:', clock, random: constantRandom(0), outbox: outboxOptions });
        const outbox: Outbox = store.outbox('q');
        const model = new OutboxModel(outboxOptions);
        const show = (items: ReturnType<Outbox['due']>) =>
          items.map((i) => [i.id[0], i.priority, i.attempts, i.nextAttemptAt, i.bytes.length, i.destination]);
        try {
          ops.forEach((op, step) => {
            const now = clock.now();
            let real: unknown;
            let expected: unknown;
            switch (op.kind) {
              case 'enqueue':
                real = outcome(() =>
                  outbox.enqueue({
                    id: new Uint8Array([op.id]),
                    destination: `d${op.id % 2}`,
                    bytes: patterned(op.size, op.id),
                    priority: op.priority,
                    expiresAt: now + op.ttl,
                  }),
                );
                expected = outcome(() => model.enqueue(op.id, op.priority, op.size, now, op.ttl));
                break;
              case 'lease':
                real = show(outbox.leaseNext(op.limit));
                expected = model.leaseNext(op.limit, now);
                break;
              case 'sent':
                real = outbox.markSent(new Uint8Array([op.id]));
                expected = model.markSent(op.id, now);
                break;
              case 'failed':
                real = outbox.markFailed(new Uint8Array([op.id]), op.delay === undefined ? undefined : now + op.delay);
                expected = model.markFailed(op.id, now, op.delay);
                break;
              case 'expire':
                real = outbox.expire().map((id) => id[0]);
                expected = model.expire(now);
                break;
              case 'advance':
                clock.advance(op.ms);
                break;
            }
            expect(real, `step ${step} ${JSON.stringify(op)}`).toEqual(expected);
            expect(show(outbox.due(100)), `due after step ${step}`).toEqual(model.due(100, clock.now()));
            expect(outbox.depth()).toEqual(model.depth());
          });
        } finally {
          store.close();
        }
      }),
      runs,
    );
  });
});
