/**
 * Envelopes that reach this node: the durable store hook first (a direct
 * message is acknowledged only once the store accepted it), then the
 * onDeliver handlers. Owns the cache of message keys already delivered, so
 * a retry is acked again without a second delivery.
 */
import { DuplicateCache } from '../../protocol/mesh/dedup.ts';
import type { Clock } from '../../seams/clock.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Peer } from './peer-keys.ts';
import type { DeliverMeta, RouterCounters, RouterLogger, RouterStore } from './types.ts';

export type DeliverHandler = (envelope: Uint8Array, meta: DeliverMeta) => void;

export interface InboxDeps {
  readonly clock: Clock;
  readonly log: RouterLogger;
  readonly counters: RouterCounters;
  readonly lifecycle: Lifecycle;
  readonly store: RouterStore | undefined;
}

export class Inbox {
  /** An hour of message keys, so a late retry is acked again rather than delivered twice. */
  private readonly delivered = new DuplicateCache<true>({ maxEntries: 8192, maxAgeMs: 60 * 60_000 });
  private readonly handlers: DeliverHandler[] = [];

  constructor(private readonly d: InboxDeps) {}

  onDeliver(handler: DeliverHandler): void {
    this.handlers.push(handler);
  }

  wasDelivered(key: number): boolean {
    return this.delivered.has(key, this.d.clock.now());
  }

  /** A direct message (one frame or reassembled) for this node, acked by `sendAck` once stored; `source` only when authenticated. */
  async acceptThenAck(envelope: Uint8Array, key: number, hops: number, sendAck: () => void, source?: Peer): Promise<void> {
    const d = this.d;
    const meta: DeliverMeta = { broadcast: false, messageId: key, hops, receivedAtMs: d.clock.now(), ...(source && { source: source.nodeId.slice(), sourcePublicKey: source.publicKey.slice() }) };
    if (d.store) {
      let accepted = false;
      try {
        accepted = await d.store.accept(envelope, meta);
      } catch (e) {
        d.log.warn('store refused an envelope', { error: String(e) });
      }
      // No ack without durable storage: the sender retries, the store dedups.
      if (!accepted || d.lifecycle.closed) return;
    }
    if (this.delivered.has(key, d.clock.now())) return sendAck();
    this.delivered.set(key, true, d.clock.now());
    d.counters.delivered++;
    for (const h of this.handlers) h(envelope, meta);
    sendAck();
  }

  /** A broadcast: no ack, so the store's answer does not matter here. */
  deliverBroadcast(envelope: Uint8Array, frameId: number, hops: number): void {
    const d = this.d;
    d.counters.delivered++;
    const meta: DeliverMeta = { broadcast: true, messageId: frameId, hops, receivedAtMs: d.clock.now() };
    if (d.store) void Promise.resolve(d.store.accept(envelope, meta)).catch(() => undefined);
    for (const h of this.handlers) h(envelope, meta);
  }
}
