/**
 * Announces: this node's signed announce every `announceIntervalMs` (with
 * jitter), flooded `announceHopLimit` hops. Own and relayed announces share
 * one airtime budget of `announceAirtimeShare` of the time (2 %, as
 * Reticulum caps announces per interface): a token bucket in ms of airtime.
 * What is over budget is not sent (counted as throttled).
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { encodeAnnounce, signAnnounce } from '../../protocol/mesh/announce.ts';
import { BROADCAST_HINT, FrameKind } from '../../protocol/mesh/frame-types.ts';
import { FRAME_HEADER_BYTES } from '../../protocol/mesh/frame-types.ts';
import type { Clock } from '../../seams/clock.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Forwarder } from './relay.ts';
import type { NodeKeys, RouterConfig, RouterCounters } from './types.ts';

export interface AnnouncerDeps {
  readonly suite: CryptoSuite;
  readonly keys: NodeKeys;
  readonly cfg: RouterConfig;
  readonly clock: Clock;
  readonly counters: RouterCounters;
  readonly lifecycle: Lifecycle;
  readonly airtimeMs: (bytes: number) => number;
  readonly uniform: () => number;
  readonly forwarder: Forwarder;
}

export class Announcer {
  private tokensMs: number;
  private lastRefillMs: number;
  private sequence = 0;
  private readonly bucketMs: number;

  constructor(private readonly d: AnnouncerDeps) {
    // Enough budget for a few announces in a burst; refilled at the share rate.
    this.bucketMs = d.cfg.announceAirtimeShare * Math.max(d.cfg.announceIntervalMs, 600_000);
    this.tokensMs = this.bucketMs;
    this.lastRefillMs = d.clock.now();
  }

  /**
   * Starts the periodic announce. The first one comes at a random point of
   * `firstAnnounceWithinMs` (default: the whole interval, so that nodes of a
   * simulated mesh started together spread out); a daemon that has just
   * started asks for a short window so neighbours learn of it at once.
   */
  start(): void {
    if (!(this.d.cfg.announceIntervalMs > 0)) return;
    const within = this.d.cfg.firstAnnounceWithinMs ?? this.d.cfg.announceIntervalMs;
    this.d.lifecycle.after(this.d.uniform() * within, () => this.tick());
  }

  private tick(): void {
    this.announceNow();
    const jitter = 0.9 + 0.2 * this.d.uniform();
    this.d.lifecycle.after(this.d.cfg.announceIntervalMs * jitter, () => this.tick());
  }

  /** Takes airtime from the budget; false when it would exceed the share. */
  spend(frameBytes: number): boolean {
    const now = this.d.clock.now();
    this.tokensMs = Math.min(this.bucketMs, this.tokensMs + (now - this.lastRefillMs) * this.d.cfg.announceAirtimeShare);
    this.lastRefillMs = now;
    const cost = this.d.airtimeMs(frameBytes);
    if (cost > this.tokensMs) {
      this.d.counters.announcesThrottled++;
      return false;
    }
    this.tokensMs -= cost;
    return true;
  }

  announceNow(): boolean {
    const d = this.d;
    const seconds = Math.floor(d.clock.now() / 1000);
    this.sequence = Math.max(this.sequence + 1, seconds) >>> 0;
    const payload = encodeAnnounce(signAnnounce(d.suite, d.keys.seed, d.cfg.announceFlags, this.sequence));
    if (!this.spend(FRAME_HEADER_BYTES + payload.length)) return false;
    d.forwarder.originate({
      kind: FrameKind.announce, limit: d.cfg.announceHopLimit, routed: false, destHint: BROADCAST_HINT, payload,
    }, 'bulk');
    d.counters.announcesSent++;
    return true;
  }
}
