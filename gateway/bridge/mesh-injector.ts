/**
 * Carries mail the gateway fetched from relays (kept in its local mailbox
 * store under the destination node id) to that node over the mesh, one
 * message at a time per destination, so a burst from the Internet never
 * floods the radio. A message leaves the local store only after the
 * destination acknowledged it end to end; the destination's store drops a
 * duplicate, so a crash between the two delivers it once.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { MailboxStore } from '../../seams/store.ts';

export interface MeshInjectorOptions {
  readonly mailboxes: MailboxStore;
  readonly clock: Clock;
  /** Sends one envelope to a mesh node; resolves on its end-to-end acknowledgement. */
  readonly send: (nodeId: Uint8Array, envelope: Uint8Array) => Promise<unknown>;
  /** Destinations to retry on the timer (the registrations' node ids). */
  readonly destinations: () => Uint8Array[];
  readonly retryMs?: number;
  /**
   * Most messages delivered to one node per hour (default 120). A
   * registration is kept only from the node it delivers to (the sender the
   * router authenticated, gateway-role.ts; review M3), and this bounds how
   * much Internet mail that node's mailboxes pour onto its radio neighbourhood.
   */
  readonly maxPerHourPerNode?: number;
  readonly log?: (event: string, fields: Record<string, unknown>) => void;
}

export interface MeshInjectorStats {
  readonly injected: number;
  readonly failed: number;
  /** Passes stopped by the hourly cap per node. */
  readonly rateLimited: number;
}

export class MeshInjector {
  private readonly running = new Map<string, Promise<void>>();
  /** Delivery times in the last hour, per destination. */
  private readonly recent = new Map<string, number[]>();
  private timer: TimerHandle | undefined;
  private counters = { injected: 0, failed: 0, rateLimited: 0 };
  private closed = false;

  constructor(private readonly options: MeshInjectorOptions) {}

  start(): void {
    const tick = (): void => {
      if (this.closed) return;
      for (const node of this.options.destinations()) void this.drain(node);
      this.timer = this.options.clock.setTimer(this.options.retryMs ?? 60_000, tick);
    };
    tick();
  }

  /** Delivers what waits for `nodeId` (joins a pass already running). */
  drain(nodeId: Uint8Array): Promise<void> {
    const key = toHex(nodeId);
    const running = this.running.get(key);
    if (running) return running;
    const pass = this.deliver(nodeId).finally(() => this.running.delete(key));
    this.running.set(key, pass);
    return pass;
  }

  private async deliver(nodeId: Uint8Array): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const batch = this.options.mailboxes.list(nodeId, { limit: 16 });
      if (batch.length === 0) return;
      for (const message of batch) {
        if (!this.withinRate(toHex(nodeId))) return; // over the hourly cap: the timer comes back later
        try {
          await this.options.send(nodeId, message.bytes);
        } catch (error) {
          this.counters.failed++;
          this.options.log?.('gateway.inject.failed', { node: toHex(nodeId), error: (error as Error).message });
          return; // the node is unreachable now: retry on the timer, oldest first
        }
        this.options.mailboxes.delete(nodeId, [message.id]);
        this.counters.injected++;
        this.recent.get(toHex(nodeId))!.push(this.options.clock.now());
      }
    }
  }

  private withinRate(key: string): boolean {
    const hourAgo = this.options.clock.now() - 3_600_000;
    const times = (this.recent.get(key) ?? []).filter((t) => t > hourAgo);
    this.recent.set(key, times);
    if (times.length < (this.options.maxPerHourPerNode ?? 120)) return true;
    this.counters.rateLimited++;
    return false;
  }

  stats(): MeshInjectorStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    await Promise.all(this.running.values());
  }
}
