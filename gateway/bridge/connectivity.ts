/**
 * Watches whether each configured relay can be reached. A gateway is a mesh
 * node whose Internet comes and goes (a shutdown lifts for an hour, a phone
 * tethers at night): it probes each relay on a timer, faster while offline
 * so it notices the return of connectivity quickly, and reports changes.
 * A successful deposit or fetch also counts as a probe (report()).
 */
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { RelayPort } from '../../seams/relay-port.ts';
import { redactUrl } from './redact-url.ts';

export interface ConnectivityOptions {
  readonly clock: Clock;
  readonly relays: readonly RelayPort[];
  /** Probe period while a relay is online. */
  readonly onlineProbeMs?: number;
  /** Probe period while a relay is offline. */
  readonly offlineProbeMs?: number;
}

export type ConnectivityListener = (url: string, online: boolean) => void;

export interface RelayState {
  readonly url: string;
  readonly online: boolean;
  /** Last time the relay answered, or undefined. */
  readonly lastSeenAt?: number;
  /** Last time a flush or fetch completed against it. */
  readonly lastSyncAt?: number;
}

export class ConnectivityMonitor {
  private readonly states = new Map<string, { online: boolean; lastSeenAt?: number; lastSyncAt?: number }>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly listeners: ConnectivityListener[] = [];
  private closed = false;

  constructor(private readonly options: ConnectivityOptions) {
    for (const relay of options.relays) this.states.set(relay.url, { online: false });
  }

  start(): void {
    for (const relay of this.options.relays) void this.probe(relay);
  }

  /** Called on every change of a relay's reachability. */
  onChange(listener: ConnectivityListener): void {
    this.listeners.push(listener);
  }

  isOnline(url: string): boolean {
    return this.states.get(url)?.online ?? false;
  }

  /** A request to `url` succeeded (true) or could not reach it (false). */
  report(url: string, reachable: boolean): void {
    const state = this.states.get(url);
    if (!state || this.closed) return;
    if (reachable) state.lastSeenAt = this.options.clock.now();
    if (state.online !== reachable) {
      state.online = reachable;
      for (const listener of this.listeners) listener(url, reachable);
      // Lost it: probe again at the (faster) offline period from now on.
      const relay = this.options.relays.find((r) => r.url === url);
      if (!reachable && relay) this.scheduleProbe(relay, this.options.offlineProbeMs ?? 10_000);
    }
  }

  markSynced(url: string): void {
    const state = this.states.get(url);
    if (state) state.lastSyncAt = this.options.clock.now();
  }

  snapshot(): RelayState[] {
    // Status is shown to users and logged: never the basic-auth password.
    return [...this.states.entries()].map(([url, s]) => ({ url: redactUrl(url), ...s }));
  }

  private async probe(relay: RelayPort): Promise<void> {
    if (this.closed) return;
    const reachable = await relay.probe();
    this.report(relay.url, reachable);
    if (this.closed) return;
    const period = reachable ? (this.options.onlineProbeMs ?? 60_000) : (this.options.offlineProbeMs ?? 10_000);
    this.scheduleProbe(relay, period);
  }

  private scheduleProbe(relay: RelayPort, delayMs: number): void {
    if (this.closed) return;
    this.timers.get(relay.url)?.cancel();
    this.timers.set(relay.url, this.options.clock.setTimer(delayMs, () => void this.probe(relay)));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}
