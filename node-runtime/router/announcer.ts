/**
 * Announces: this node's signed announce every `announceIntervalMs` (with
 * jitter), flooded `announceHopLimit` hops. Own and relayed announces share
 * one airtime budget of `announceAirtimeShare` of the time (2 %, as
 * Reticulum caps announces per interface): a token bucket in ms of airtime.
 * What is over budget is not sent (counted as throttled).
 */
import { encodeAnnounce, signAnnounce } from '../../protocol/mesh/announce.ts';
import { BROADCAST_HINT, FrameKind } from '../../protocol/mesh/frame-types.ts';
import { FRAME_HEADER_BYTES } from '../../protocol/mesh/frame-types.ts';
import type { RouterCore } from './core.ts';
import { originate } from './relay.ts';
import type { NodeKeys } from './types.ts';

export class Announcer {
  private tokensMs: number;
  private lastRefillMs: number;
  private sequence = 0;
  private readonly bucketMs: number;

  constructor(private readonly core: RouterCore, private readonly keys: NodeKeys) {
    // Enough budget for a few announces in a burst; refilled at the share rate.
    this.bucketMs = core.cfg.announceAirtimeShare * Math.max(core.cfg.announceIntervalMs, 600_000);
    this.tokensMs = this.bucketMs;
    this.lastRefillMs = core.clock.now();
  }

  /**
   * Starts the periodic announce. The first one comes at a random point of
   * `firstAnnounceWithinMs` (default: the whole interval, so that nodes of a
   * simulated mesh started together spread out); a daemon that has just
   * started asks for a short window so neighbours learn of it at once.
   */
  start(): void {
    if (!(this.core.cfg.announceIntervalMs > 0)) return;
    const within = this.core.cfg.firstAnnounceWithinMs ?? this.core.cfg.announceIntervalMs;
    this.core.after(this.core.uniform() * within, () => this.tick());
  }

  private tick(): void {
    this.announceNow();
    const jitter = 0.9 + 0.2 * this.core.uniform();
    this.core.after(this.core.cfg.announceIntervalMs * jitter, () => this.tick());
  }

  /** Takes airtime from the budget; false when it would exceed the share. */
  spend(frameBytes: number): boolean {
    const now = this.core.clock.now();
    this.tokensMs = Math.min(this.bucketMs, this.tokensMs + (now - this.lastRefillMs) * this.core.cfg.announceAirtimeShare);
    this.lastRefillMs = now;
    const cost = this.core.airtimeMs(frameBytes);
    if (cost > this.tokensMs) {
      this.core.counters.announcesThrottled++;
      return false;
    }
    this.tokensMs -= cost;
    return true;
  }

  announceNow(): boolean {
    const core = this.core;
    const seconds = Math.floor(core.clock.now() / 1000);
    this.sequence = Math.max(this.sequence + 1, seconds) >>> 0;
    const payload = encodeAnnounce(signAnnounce(core.suite, this.keys.seed, core.cfg.announceFlags, this.sequence));
    if (!this.spend(FRAME_HEADER_BYTES + payload.length)) return false;
    originate(core, {
      kind: FrameKind.announce, limit: core.cfg.announceHopLimit, routed: false, destHint: BROADCAST_HINT, payload,
    }, 'bulk');
    core.counters.announcesSent++;
    return true;
  }
}
