/**
 * The store's contract as plain in-memory TypeScript, for the model-based
 * tests (model.test.ts). Deliberately naive: arrays and maps, no indexes,
 * written from the doc comments of seams/store.ts rather than
 * from the SQL.
 */
import fc from 'fast-check';
import { QuotaExceededError } from '../../node-runtime/store/index.ts';
import type { QuotaKind } from '../../node-runtime/store/index.ts';

// ---------------------------------------------------------------- operations

export type MailboxOp =
  | { kind: 'deposit'; tag: number; id: number; size: number; ttl: number | undefined }
  | { kind: 'delete'; tag: number; ids: number[] }
  | { kind: 'expire' }
  | { kind: 'advance'; ms: number };

export function mailboxOpArb(tagCount: number): fc.Arbitrary<MailboxOp> {
  const tag = fc.nat(tagCount - 1);
  const id = fc.nat(11);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('deposit' as const), tag, id, size: fc.nat(60), ttl: fc.option(fc.integer({ min: -5, max: 120 }), { nil: undefined }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), tag, ids: fc.array(id, { maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40 }) }) },
  );
}

export type OutboxOp =
  | { kind: 'enqueue'; id: number; priority: number; size: number; ttl: number }
  | { kind: 'lease'; limit: number }
  | { kind: 'sent'; id: number }
  | { kind: 'failed'; id: number; delay: number | undefined }
  | { kind: 'expire' }
  | { kind: 'advance'; ms: number };

export function outboxOpArb(): fc.Arbitrary<OutboxOp> {
  const id = fc.nat(9);
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('enqueue' as const), id, priority: fc.nat(7), size: fc.nat(50), ttl: fc.integer({ min: -5, max: 150 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('lease' as const), limit: fc.integer({ min: 1, max: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('sent' as const), id }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('failed' as const), id, delay: fc.option(fc.nat(30), { nil: undefined }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 30 }) }) },
  );
}

// ---------------------------------------------------------------- mailboxes

interface ModelMessage {
  tag: string;
  id: number;
  size: number;
  expiresAt: number;
  seq: number;
}

export interface MailboxModelOptions {
  maxMessagesPerMailbox: number;
  maxBytesPerMailbox: number;
  maxMessagesTotal: number;
  maxBytesTotal: number;
  defaultTtlMs: number;
  maxTtlMs: number;
  seenRetentionMs: number;
}

export class MailboxModel {
  private messages: ModelMessage[] = [];
  private readonly seen = new Map<string, number>();
  private seq = 0;

  constructor(private readonly o: MailboxModelOptions) {}

  deposit(tag: string, id: number, size: number, now: number, ttl: number | undefined): string {
    const key = `${tag}/${id}`;
    if (this.messages.some((m) => m.tag === tag && m.id === id)) return 'duplicate';
    if ((this.seen.get(key) ?? -1) > now) return 'duplicate';
    const expiresAt = Math.min(ttl === undefined ? now + this.o.defaultTtlMs : now + ttl, now + this.o.maxTtlMs);
    if (expiresAt <= now) return 'expired';
    let refusal = this.refusal(tag, size);
    if (refusal) {
      // A refused write changes nothing (store.ts): the sweep is undone with it.
      const snapshot = { messages: [...this.messages], seen: new Map(this.seen) };
      const undo = (): void => {
        this.messages = snapshot.messages;
        this.seen.clear();
        for (const [k, v] of snapshot.seen) this.seen.set(k, v);
      };
      this.sweep(now, tag);
      refusal = this.refusal(tag, size);
      if (refusal && refusal.quota.startsWith('mailboxes-total')) {
        this.sweep(now);
        refusal = this.refusal(tag, size);
      }
      if (refusal) {
        undo();
        throw refusal;
      }
    }
    this.messages.push({ tag, id, size, expiresAt, seq: ++this.seq });
    return 'stored';
  }

  private refusal(tag: string, size: number): QuotaExceededError | undefined {
    const o = this.o;
    const mine = this.counts(tag);
    const all = this.totals();
    const check: Array<[boolean, QuotaKind, number, number]> = [
      [mine.messages + 1 > o.maxMessagesPerMailbox, 'mailbox-messages', o.maxMessagesPerMailbox, mine.messages],
      [mine.bytes + size > o.maxBytesPerMailbox, 'mailbox-bytes', o.maxBytesPerMailbox, mine.bytes],
      [all.messages + 1 > o.maxMessagesTotal, 'mailboxes-total-messages', o.maxMessagesTotal, all.messages],
      [all.bytes + size > o.maxBytesTotal, 'mailboxes-total-bytes', o.maxBytesTotal, all.bytes],
    ];
    const hit = check.find(([over]) => over);
    return hit ? new QuotaExceededError(hit[1], hit[2], hit[3]) : undefined;
  }

  private remember(tag: string, id: number, now: number): void {
    const key = `${tag}/${id}`;
    this.seen.set(key, Math.max(this.seen.get(key) ?? 0, now + this.o.seenRetentionMs));
  }

  /** Drops expired messages (of one mailbox, or all), remembering their ids. */
  private sweep(now: number, tag?: string): number {
    const gone = this.messages.filter((m) => m.expiresAt <= now && (tag === undefined || m.tag === tag));
    for (const m of gone) this.remember(m.tag, m.id, now);
    this.messages = this.messages.filter((m) => !gone.includes(m));
    return gone.length;
  }

  delete(tag: string, ids: number[], now: number): number {
    let deleted = 0;
    for (const id of ids) {
      const before = this.messages.length;
      this.messages = this.messages.filter((m) => !(m.tag === tag && m.id === id));
      deleted += before - this.messages.length;
      this.remember(tag, id, now);
    }
    return deleted;
  }

  expire(now: number): number {
    const n = this.sweep(now);
    for (const [key, at] of this.seen) if (at <= now) this.seen.delete(key);
    return n;
  }

  list(tag: string, now: number): Array<[number, number, number]> {
    return this.messages.filter((m) => m.tag === tag && m.expiresAt > now).sort((a, b) => a.seq - b.seq).map((m) => [m.id, m.size, m.expiresAt]);
  }

  counts(tag: string): { messages: number; bytes: number } {
    const mine = this.messages.filter((m) => m.tag === tag);
    return { messages: mine.length, bytes: mine.reduce((s, m) => s + m.size, 0) };
  }

  totals(): { mailboxes: number; messages: number; bytes: number } {
    return {
      mailboxes: new Set(this.messages.map((m) => m.tag)).size,
      messages: this.messages.length,
      bytes: this.messages.reduce((s, m) => s + m.size, 0),
    };
  }
}

// ---------------------------------------------------------------- outbox

interface ModelItem {
  id: number;
  priority: number;
  size: number;
  expiresAt: number;
  seq: number;
  attempts: number;
  nextAttemptAt: number;
  leasedUntil: number;
}

export interface OutboxModelOptions {
  maxMessages: number;
  maxBytes: number;
  leaseMs: number;
  sentRetentionMs: number;
  backoff: { baseMs: number; factor: number; maxMs: number };
}

type Shown = [number, number, number, number, number, string];

export class OutboxModel {
  private items: ModelItem[] = [];
  private readonly sent = new Map<number, number>();
  private seq = 0;

  constructor(private readonly o: OutboxModelOptions) {}

  enqueue(id: number, priority: number, size: number, now: number, ttl: number): string {
    if (this.items.some((i) => i.id === id) || (this.sent.get(id) ?? -1) > now) return 'duplicate';
    if (now + ttl <= now) return 'expired';
    const over = (): boolean => this.items.length + 1 > this.o.maxMessages || this.depth().bytes + size > this.o.maxBytes;
    if (over()) {
      const snapshot = this.items;
      this.items = this.items.filter((i) => i.expiresAt > now);
      if (over()) {
        const d = this.depth();
        this.items = snapshot; // a refused write changes nothing, the sweep included
        if (d.messages + 1 > this.o.maxMessages) throw new QuotaExceededError('outbox-messages', this.o.maxMessages, d.messages);
        throw new QuotaExceededError('outbox-bytes', this.o.maxBytes, d.bytes);
      }
    }
    this.items.push({ id, priority, size, expiresAt: now + ttl, seq: ++this.seq, attempts: 0, nextAttemptAt: now, leasedUntil: 0 });
    return 'added';
  }

  private dueItems(limit: number, now: number): ModelItem[] {
    return this.items
      .filter((i) => i.nextAttemptAt <= now && i.leasedUntil <= now && i.expiresAt > now)
      .sort((a, b) => a.priority - b.priority || a.seq - b.seq)
      .slice(0, limit);
  }

  private show(i: ModelItem): Shown {
    return [i.id, i.priority, i.attempts, i.nextAttemptAt, i.size, `d${i.id % 2}`];
  }

  due(limit: number, now: number): Shown[] {
    return this.dueItems(limit, now).map((i) => this.show(i));
  }

  leaseNext(limit: number, now: number): Shown[] {
    const items = this.dueItems(limit, now);
    for (const i of items) {
      i.attempts += 1;
      i.leasedUntil = now + this.o.leaseMs;
    }
    return items.map((i) => this.show(i));
  }

  markSent(id: number, now: number): boolean {
    const before = this.items.length;
    this.items = this.items.filter((i) => i.id !== id);
    if (this.items.length === before) return false;
    this.sent.set(id, Math.max(this.sent.get(id) ?? 0, now + this.o.sentRetentionMs));
    return true;
  }

  markFailed(id: number, now: number, delay: number | undefined): boolean {
    const item = this.items.find((i) => i.id === id);
    if (!item) return false;
    // Jitter draw 0 in the test: the delay is the ceiling min(maxMs, baseMs * factor^(attempts-1)).
    const b = this.o.backoff;
    const backoff = Math.floor(Math.min(b.maxMs, b.baseMs * b.factor ** Math.max(0, item.attempts - 1)));
    item.nextAttemptAt = now + (delay ?? backoff);
    item.leasedUntil = 0;
    return true;
  }

  expire(now: number): number[] {
    const gone = this.items.filter((i) => i.expiresAt <= now).sort((a, b) => a.seq - b.seq);
    this.items = this.items.filter((i) => i.expiresAt > now);
    return gone.map((i) => i.id);
  }

  depth(): { messages: number; bytes: number } {
    return { messages: this.items.length, bytes: this.items.reduce((s, i) => s + i.size, 0) };
  }
}
