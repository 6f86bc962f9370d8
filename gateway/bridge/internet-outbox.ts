/**
 * The gateway's durable queue of envelopes bound for Internet relays.
 *
 * While offline, envelopes wait in the store's "gateway" outbox (SQLite,
 * bounded by a byte quota, not by Meshtastic's fixed 16 entries). When a
 * relay is reachable its queue is flushed oldest first: items are leased in
 * queue order and dispatched in that order with a few deposits in flight
 * (`concurrency`), and every deposit is awaited I/O, so the radio side's
 * event loop is never starved. The outcomes of a batch are written in one
 * transaction (one fsync) rather than one per envelope.
 *
 * Exactly once: the outbox hands an item out under a lease and removes it
 * only after the relay confirmed the deposit; a crash between the deposit
 * and the removal makes the item due again, and the relay answers
 * 'duplicate' for an identical deposit, so it is stored once.
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { addressedEnvelopeId } from '../../protocol/envelope/envelope-id.ts';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import { type Outbox, type OutboxItem, OutboxPriority, STORE_LIMITS } from '../../seams/store.ts';
import type { ConnectivityMonitor } from './connectivity.ts';
import { type RelayPort, RelayRefusedError } from '../../seams/relay-port.ts';
import { redactUrl } from './redact-url.ts';

export interface InternetOutboxOptions {
  readonly outbox: Outbox;
  readonly relays: readonly RelayPort[];
  readonly connectivity: ConnectivityMonitor;
  readonly clock: Clock;
  readonly suite: CryptoSuite;
  /** Items leased per round. */
  readonly batchSize?: number;
  /** Deposits in flight at once per relay. */
  readonly concurrency?: number;
  /** Runs several outbox writes as one transaction (Store.batch); default: one by one. */
  readonly transaction?: <T>(fn: () => T) => T;
  /** How long an Internet-bound envelope may wait before it is dropped. Default 14 days. */
  readonly maxAgeMs?: number;
  /** How often due retries are looked for while envelopes wait. Default 1 s. */
  readonly retryPollMs?: number;
  /** How long an envelope the relay refused waits before it is offered again. Default 1 hour. */
  readonly refusedRetryMs?: number;
  readonly log?: (event: string, fields: Record<string, unknown>) => void;
}

export interface InternetOutboxStats {
  readonly queued: number;
  readonly queuedBytes: number;
  readonly delivered: number;
  readonly duplicates: number;
  readonly refused: number;
  readonly failedAttempts: number;
}

/** What became of one deposit attempt. */
type Outcome = 'stored' | 'duplicate' | 'refused' | 'unreachable' | 'corrupt';

export class InternetOutbox {
  private readonly relays = new Map<string, RelayPort>();
  private readonly flushing = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, TimerHandle>();
  private counters = { delivered: 0, duplicates: 0, refused: 0, failedAttempts: 0 };
  private closed = false;

  constructor(private readonly options: InternetOutboxOptions) {
    for (const relay of options.relays) this.relays.set(relay.url, relay);
    options.connectivity.onChange((url, online) => {
      if (online && this.relays.has(url)) void this.flush(url);
    });
  }

  /**
   * Queues an envelope for the mailbox `tag` on the relay `url`. Durable
   * when it returns (the caller may then acknowledge it on the mesh).
   * The id is the addressed envelope id (a hash of tag and envelope):
   * queuing the same envelope twice is a no-op ('duplicate', or 'expired'
   * when its expiry already passed). The tag and the envelope go into the
   * outbox's own columns, as they are.
   */
  enqueue(url: string, tag: Uint8Array, envelope: Uint8Array): 'added' | 'duplicate' | 'expired' {
    if (!this.relays.has(url)) throw new RangeError(`not a configured relay: ${url}`);
    if (tag.length < STORE_LIMITS.tagMinBytes || tag.length > STORE_LIMITS.tagMaxBytes) {
      throw new RangeError(`mailbox tag must be ${STORE_LIMITS.tagMinBytes}..${STORE_LIMITS.tagMaxBytes} bytes`);
    }
    const id = addressedEnvelopeId(this.options.suite, tag, envelope);
    const now = this.options.clock.now();
    const result = this.options.outbox.enqueue({
      id, destination: url, tag, bytes: envelope, priority: OutboxPriority.user,
      expiresAt: now + (this.options.maxAgeMs ?? 14 * 24 * 3600_000),
    });
    if (result === 'added' && this.options.connectivity.isOnline(url)) void this.flush(url);
    return result;
  }

  /** Flushes every relay that is online; resolves when each pass ends. */
  async flushAll(): Promise<void> {
    await Promise.all([...this.relays.keys()].map((url) => this.flush(url)));
  }

  /** One flush pass for `url` (joins a pass already running). */
  flush(url: string): Promise<void> {
    const running = this.flushing.get(url);
    if (running) return running;
    const pass = this.runFlush(url).finally(() => {
      this.flushing.delete(url);
      this.scheduleRetry(url);
    });
    this.flushing.set(url, pass);
    return pass;
  }

  private async runFlush(url: string): Promise<void> {
    const relay = this.relays.get(url);
    if (!relay) return;
    const batchSize = this.options.batchSize ?? 64;
    const concurrency = this.options.concurrency ?? 8;
    const transaction = this.options.transaction ?? (<T>(fn: () => T): T => fn());
    const refusedRetryMs = this.options.refusedRetryMs ?? 3_600_000;
    while (!this.closed && this.options.connectivity.isOnline(url)) {
      const items = this.options.outbox.leaseNext(batchSize, this.options.clock.now(), { destination: url });
      if (items.length === 0) {
        this.options.connectivity.markSynced(url);
        return;
      }
      const outcomes: Outcome[] = new Array(items.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < items.length) {
          const i = next++;
          outcomes[i] = await this.deposit(relay, items[i]!);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
      let failed = false;
      transaction(() => {
        for (let i = 0; i < items.length; i++) {
          const id = items[i]!.id;
          switch (outcomes[i]!) {
            case 'stored': this.counters.delivered++; this.options.outbox.markSent(id); break;
            case 'duplicate': this.counters.duplicates++; this.options.outbox.markSent(id); break;
            // A refusal is not proof the relay saw the envelope: a refusal frame is not
            // authenticated, so an on-path attacker can forge one (security review H2).
            // Keep the envelope and retry it rarely until it expires.
            case 'refused': this.counters.refused++; this.options.outbox.markFailed(id, this.options.clock.now() + refusedRetryMs); break;
            case 'corrupt': this.options.outbox.markSent(id); break;
            case 'unreachable': this.counters.failedAttempts++; failed = true; this.options.outbox.markFailed(id); break;
          }
        }
      });
      this.options.connectivity.report(url, !failed);
      if (failed) return;
    }
  }

  /** One deposit; never throws. */
  private async deposit(relay: RelayPort, item: OutboxItem): Promise<Outcome> {
    if (item.tag === undefined || item.bytes.length === 0) {
      // Every enqueue gives a tag and an envelope; a row without them is one the schema
      // migration could not unpack (disk damage, node-runtime/store/migrate-outbox-tag.ts): drop it.
      this.options.log?.('gateway.outbox.corrupt', { id: toHex(item.id), error: 'no mailbox tag or no envelope' });
      return 'corrupt';
    }
    try {
      return await relay.deposit(item.tag, item.bytes);
    } catch (error) {
      if (error instanceof RelayRefusedError) {
        this.options.log?.('gateway.outbox.refused', { id: toHex(item.id), relay: redactUrl(relay.url), reason: error.message });
        return 'refused';
      }
      return 'unreachable';
    }
  }

  /**
   * While envelopes wait (backoff, or a refusal's long wait), look again
   * every `retryPollMs`: one indexed query, and nothing is due before its time.
   */
  private scheduleRetry(url: string): void {
    if (this.closed) return;
    this.timers.get(url)?.cancel();
    if (this.options.outbox.depth({ destination: url }).messages === 0) return;
    this.timers.set(url, this.options.clock.setTimer(this.options.retryPollMs ?? 1000, () => {
      if (this.options.connectivity.isOnline(url)) void this.flush(url);
      else this.scheduleRetry(url);
    }));
  }

  stats(): InternetOutboxStats {
    const depth = this.options.outbox.depth();
    return { queued: depth.messages, queuedBytes: depth.bytes, ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) t.cancel();
    await Promise.all(this.flushing.values());
  }
}
