/**
 * Fetches, while the Internet is up, the mail of mesh users who registered
 * with this gateway (protocol/gateway/registration.ts), and keeps it in the
 * gateway's local mailbox store under the node id it must be delivered to;
 * the mesh injector (mesh-injector.ts) then carries it to that node.
 * Internet traffic is never re-flooded onto the radio: only registered
 * mailboxes are fetched, each message goes to one node, nothing is broadcast.
 *
 * Nothing is lost: a message is acknowledged to the relay (deleted there)
 * only after the local deposit returned, i.e. after it is on disk here.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { envelopeId } from '../../protocol/envelope/envelope-id.ts';
import type { GatewayRegistration } from '../../protocol/gateway/registration.ts';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { MailboxStore } from '../../seams/store.ts';
import type { ConnectivityMonitor } from './connectivity.ts';
import type { RelayPort } from '../../seams/relay-port.ts';
import { redactUrl } from './redact-url.ts';

/** Most registrations a fetcher keeps unless told otherwise (each is a mailbox polled until it expires). */
export const DEFAULT_MAX_REGISTRATIONS = 1000;

export interface MailFetcherOptions {
  readonly relays: readonly RelayPort[];
  readonly connectivity: ConnectivityMonitor;
  readonly mailboxes: MailboxStore;
  readonly clock: Clock;
  readonly suite: CryptoSuite;
  /** How often registered mailboxes are polled while their relay is online. */
  readonly pollMs?: number;
  readonly log?: (event: string, fields: Record<string, unknown>) => void;
  /** Most registrations kept (default 1,000), and per destination node (default 16). */
  readonly maxRegistrations?: number;
  readonly maxRegistrationsPerNode?: number;
  /** Called after a pass stored new mail for the node `deliverTo`. */
  readonly onStored?: (deliverTo: Uint8Array) => void;
}

export interface MailFetcherStats {
  readonly registrations: number;
  readonly fetched: number;
  readonly duplicates: number;
  readonly failedPolls: number;
}

export type RegisterOutcome = 'registered' | 'stale' | 'full' | 'unknown-relay';

export class MailFetcher {
  private readonly relays = new Map<string, RelayPort>();
  private readonly registrations = new Map<string, GatewayRegistration>();
  /** Registrations whose mailbox the relay has confirmed (register is idempotent, once per run suffices). */
  private readonly registeredOnRelay = new Set<string>();
  private readonly polling = new Map<string, Promise<void>>();
  private timer: TimerHandle | undefined;
  private counters = { fetched: 0, duplicates: 0, failedPolls: 0 };
  private closed = false;

  constructor(private readonly options: MailFetcherOptions) {
    for (const relay of options.relays) this.relays.set(relay.url, relay);
    options.connectivity.onChange((url, online) => {
      if (online && this.relays.has(url)) void this.pollAll();
    });
  }

  /**
   * Adds a registration, or replaces the one of the same lookup key when it
   * is newer (a recorded older one cannot be replayed over a renewal).
   */
  register(registration: GatewayRegistration): RegisterOutcome {
    if (!this.relays.has(registration.relayUrl)) return 'unknown-relay';
    const key = toHex(registration.lookup.publicKey);
    const current = this.registrations.get(key);
    if (current && current.issuedAtSec >= registration.issuedAtSec) return 'stale';
    if (!current && this.registrations.size >= (this.options.maxRegistrations ?? DEFAULT_MAX_REGISTRATIONS)) return 'full';
    const sameNode = [...this.registrations.values()].filter((r) => toHex(r.deliverTo) === toHex(registration.deliverTo)).length;
    if (!current && sameNode >= (this.options.maxRegistrationsPerNode ?? 16)) return 'full';
    this.registrations.set(key, registration);
    // Create the mailbox on the relay and collect what waits there now, not at the next poll.
    if (!this.closed && this.options.connectivity.isOnline(registration.relayUrl)) void this.poll(key, registration);
    return 'registered';
  }

  start(): void {
    const tick = (): void => {
      if (this.closed) return;
      void this.pollAll().finally(() => {
        if (!this.closed) this.timer = this.options.clock.setTimer(this.options.pollMs ?? 30_000, tick);
      });
    };
    tick();
  }

  /** Polls every live registration whose relay is online. */
  async pollAll(): Promise<void> {
    const nowSec = Math.floor(this.options.clock.now() / 1000);
    const polls: Promise<void>[] = [];
    for (const [key, reg] of this.registrations) {
      if (reg.expiresAtSec <= nowSec) {
        this.registrations.delete(key);
        continue;
      }
      if (this.options.connectivity.isOnline(reg.relayUrl)) polls.push(this.poll(key, reg));
    }
    await Promise.all(polls);
  }

  private poll(key: string, reg: GatewayRegistration): Promise<void> {
    const running = this.polling.get(key);
    if (running) return running;
    const pass = this.drain(reg).finally(() => this.polling.delete(key));
    this.polling.set(key, pass);
    return pass;
  }

  /** Fetch, store locally, then acknowledge on the next fetch, until the mailbox is empty. */
  private async drain(reg: GatewayRegistration): Promise<void> {
    const relay = this.relays.get(reg.relayUrl)!;
    const key = toHex(reg.lookup.publicKey);
    if (!this.registeredOnRelay.has(key)) {
      try {
        await relay.register(reg.lookup);
        this.registeredOnRelay.add(key);
      } catch (error) {
        this.counters.failedPolls++;
        this.options.log?.('gateway.register.failed', { relay: redactUrl(relay.url), error: (error as Error).message });
        return;
      }
    }
    let acks: Uint8Array[] = [];
    let stored = 0;
    for (;;) {
      if (this.closed) return;
      let batch;
      try {
        batch = await relay.fetch(reg.lookup, acks);
      } catch (error) {
        this.counters.failedPolls++;
        this.options.connectivity.report(relay.url, false);
        this.options.log?.('gateway.fetch.failed', { relay: redactUrl(relay.url), error: (error as Error).message });
        return;
      }
      this.options.connectivity.report(relay.url, true);
      if (batch.length === 0) {
        this.options.connectivity.markSynced(relay.url);
        if (stored > 0) this.options.onStored?.(reg.deliverTo);
        return;
      }
      acks = [];
      for (const message of batch) {
        const id = envelopeId(this.options.suite, message.envelope);
        let result: ReturnType<MailboxStore['deposit']>;
        try {
          result = this.options.mailboxes.deposit(reg.deliverTo, id, message.envelope);
        } catch (error) {
          // Local mailbox full (quota): acknowledge what is stored, leave the rest on the relay.
          this.options.log?.('gateway.fetch.local-full', { error: (error as Error).message });
          if (acks.length > 0) await relay.fetch(reg.lookup, acks).catch(() => undefined);
          if (stored > 0) this.options.onStored?.(reg.deliverTo);
          return;
        }
        if (result === 'stored') {
          this.counters.fetched++;
          stored++;
        }
        else this.counters.duplicates++; // 'duplicate', or 'expired' on arrival: either way nothing to keep
        acks.push(message.id);
      }
    }
  }

  /** Node ids that registered users live on (the injector's destinations). */
  destinations(): Uint8Array[] {
    const seen = new Map<string, Uint8Array>();
    for (const reg of this.registrations.values()) seen.set(toHex(reg.deliverTo), reg.deliverTo);
    return [...seen.values()];
  }

  stats(): MailFetcherStats {
    return { registrations: this.registrations.size, ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    await Promise.all(this.polling.values());
  }
}
