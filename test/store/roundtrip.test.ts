/**
 * Whatever bytes come in come out: arbitrary ids, tags and envelopes
 * (zeros, 0xff runs, invalid UTF-8, empty) survive storage bit for bit, and
 * the seen-log key len(tag) || tag || id never lets two (tag, id) pairs
 * collide.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openStore, STORE_LIMITS } from '../../node-runtime/store/index.ts';
import { seenKey } from '../../node-runtime/store/mailbox-store.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { hex, ManualClock } from './helpers.ts';

const tagArb = fc.uint8Array({ minLength: STORE_LIMITS.tagMinBytes, maxLength: STORE_LIMITS.tagMaxBytes });
const idArb = fc.uint8Array({ minLength: STORE_LIMITS.idMinBytes, maxLength: STORE_LIMITS.idMaxBytes });
const bytesArb = fc.uint8Array({ maxLength: 600 });

describe('round trip of arbitrary bytes', () => {
  it('mailbox and outbox return exactly what was stored (5,000 messages)', () => {
    const store = openStore({
      path: ':memory:',
      clock: new ManualClock(),
      random: new SeededRandom(1),
      mailbox: { maxMessagesPerMailbox: 1e6, maxBytesPerMailbox: 1e12, maxMessagesTotal: 1e6, maxBytesTotal: 1e12 },
    });
    const outbox = store.outbox('rt');
    const expected = new Map<string, { tag: Uint8Array; id: Uint8Array; bytes: Uint8Array }>();
    const batches = fc.sample(fc.array(fc.record({ tag: tagArb, id: idArb, bytes: bytesArb }), { minLength: 200, maxLength: 200 }), { numRuns: 25, seed: 42 });
    for (const batch of batches) {
      store.batch(() => {
        for (const m of batch) {
          const key = `${hex(m.tag)}/${hex(m.id)}`;
          const result = store.mailboxes.deposit(m.tag, m.id, m.bytes);
          expect(result).toBe(expected.has(key) ? 'duplicate' : 'stored');
          if (!expected.has(key)) expected.set(key, m);
          outbox.enqueue({ id: m.id, destination: hex(m.tag), bytes: m.bytes, priority: m.id[0]! & 7, expiresAt: 9e12 });
        }
      });
    }
    expect(expected.size).toBeGreaterThan(4_900);
    const tags = new Map<string, Uint8Array>();
    for (const m of expected.values()) tags.set(hex(m.tag), m.tag);
    let seen = 0;
    for (const tag of tags.values()) {
      for (let after = 0; ; ) {
        const page = store.mailboxes.list(tag, { limit: 1000, after });
        if (page.length === 0) break;
        for (const m of page) {
          const want = expected.get(`${hex(tag)}/${hex(m.id)}`);
          expect(want, 'no message from nowhere').toBeDefined();
          expect(m.bytes).toEqual(want?.bytes);
          expect(m.tag).toEqual(tag);
          seen++;
        }
        after = page[page.length - 1]!.cursor;
      }
    }
    expect(seen).toBe(expected.size);
    // The outbox is keyed by id alone: the first envelope of each id is kept.
    const firstById = new Map<string, Uint8Array>();
    for (const b of batches) for (const m of b) if (!firstById.has(hex(m.id))) firstById.set(hex(m.id), m.bytes);
    expect(outbox.depth().messages).toBe(firstById.size);
    for (const [idHex, bytes] of firstById) expect(outbox.get(Buffer.from(idHex, 'hex'))?.bytes).toEqual(bytes);
    store.close();
  });

  it('the seen-log key is injective over (tag, id)', () => {
    fc.assert(
      fc.property(tagArb, idArb, tagArb, idArb, (t1, i1, t2, i2) => {
        const same = hex(t1) === hex(t2) && hex(i1) === hex(i2);
        expect(hex(seenKey(t1, i1)) === hex(seenKey(t2, i2))).toBe(same);
      }),
      { numRuns: 20_000 },
    );
    // The pair a plain concatenation would confuse: tag 01020304 + id 05 vs tag 0102030405 + id (none but) 06.
    expect(hex(seenKey(new Uint8Array([1, 2, 3, 4]), new Uint8Array([5, 6])))).not.toBe(
      hex(seenKey(new Uint8Array([1, 2, 3, 4, 5]), new Uint8Array([6]))),
    );
  });
});
