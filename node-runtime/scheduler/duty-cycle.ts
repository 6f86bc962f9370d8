/**
 * Enforces a region's airtime law (protocol/mesh/regions.ts) on one node's
 * own transmissions: every sliding-window budget (EU868 duty cycle over any
 * hour, US915 dwell over any 10 or 20 s) and the longest-frame cap.
 *
 * Why "any window", exactly: the time on air inside a window ending at T,
 * u(T), grows while T is inside a transmission and falls while T - W is.
 * For a new frame [t, t + a) after everything already sent, u is largest
 * at T = t + a. So a frame is allowed when
 *     (past airtime inside [t + a - W, t)) + a <= budget,
 * and if it is not, the earliest start is when enough old airtime has slid
 * out of that window; both are computed exactly, not by polling.
 */
import { transmitLimitsFor, type AirtimeBudget, type RegionId, type TransmitLimits } from '../../protocol/mesh/regions.ts';
import { SchedulerError } from './errors.ts';

/** Slack for float sums of Semtech airtimes (fractions of a ms). */
const epsilonMs = 1e-6;

export type DutyCycleDecision =
  | { readonly allowed: true }
  /** Not now; allowed from `retryAtMs` if nothing else is sent meanwhile. */
  | { readonly allowed: false; readonly retryAtMs: number; readonly budget: string }
  /** Never: the frame alone breaks a limit (longer than the frame cap or the whole budget). */
  | { readonly allowed: false; readonly retryAtMs: undefined; readonly budget: string };

export interface BudgetUsage {
  readonly label: string;
  readonly usedMs: number;
  readonly budgetMs: number;
  readonly windowMs: number;
  /** usedMs / budgetMs: 1 means the budget is spent. */
  readonly fraction: number;
}

export class DutyCycleLimiter {
  readonly budgets: readonly AirtimeBudget[];
  readonly maxFrameAirtimeMs: number | undefined;
  private readonly longestWindowMs: number;
  /** Own transmissions still inside the longest window: flat [start0, end0, ...]. */
  private readonly spans: number[] = [];
  private totalMs = 0;

  constructor(limits?: Pick<TransmitLimits, 'budgets' | 'maxFrameAirtimeMs'>) {
    this.budgets = limits?.budgets ?? [];
    this.maxFrameAirtimeMs = limits?.maxFrameAirtimeMs;
    for (const b of this.budgets) {
      if (!(b.budgetMs > 0 && b.windowMs > 0 && b.budgetMs <= b.windowMs)) {
        throw new SchedulerError('invalid-option', `budget "${b.label}" needs 0 < budgetMs <= windowMs`);
      }
    }
    this.longestWindowMs = Math.max(0, ...this.budgets.map((b) => b.windowMs));
  }

  /** The limiter for a channel in a region; throws SchedulerError for a channel the region forbids. */
  static forChannel(region: RegionId, frequencyHz: number, bandwidthHz: number): DutyCycleLimiter {
    const r = transmitLimitsFor(region, frequencyHz, bandwidthHz);
    if (!r.ok) throw new SchedulerError('invalid-region', r.message);
    return new DutyCycleLimiter(r.limits);
  }

  /** No limit at all (tests, UDP). */
  static unlimited(): DutyCycleLimiter {
    return new DutyCycleLimiter();
  }

  /**
   * May a frame of `airtimeMs` start at `nowMs`? With `reserveFraction` r,
   * the frame may only use (1 - r) of each budget, keeping the rest for
   * more important traffic (the scheduler reserves for acks and direct
   * messages against relays and bulk); a frame too long for the reduced
   * budget is judged against the whole one rather than refused forever.
   */
  check(nowMs: number, airtimeMs: number, reserveFraction = 0): DutyCycleDecision {
    if (this.maxFrameAirtimeMs !== undefined && airtimeMs > this.maxFrameAirtimeMs + epsilonMs) {
      return { allowed: false, retryAtMs: undefined, budget: `frame longer than ${this.maxFrameAirtimeMs} ms` };
    }
    let retryAtMs = nowMs;
    let blocking: AirtimeBudget | undefined;
    for (const b of this.budgets) {
      if (b.budgetMs - airtimeMs < -epsilonMs) return { allowed: false, retryAtMs: undefined, budget: b.label };
      const usableMs = b.budgetMs * (1 - reserveFraction);
      const allowedPastMs = (usableMs >= airtimeMs ? usableMs : b.budgetMs) - airtimeMs;
      const at = this.earliestStart(nowMs, airtimeMs, b.windowMs, allowedPastMs);
      if (at > retryAtMs) {
        retryAtMs = at;
        blocking = b;
      }
    }
    if (blocking === undefined) return { allowed: true };
    // Moving later for one budget never hurts another (each only sheds old airtime), so the max is the answer.
    return { allowed: false, retryAtMs, budget: blocking.label };
  }

  /**
   * Smallest t >= nowMs with (past airtime in [t + a - W, t + a)) <= allowed:
   * walk back from the newest transmission until the allowance is used up.
   */
  private earliestStart(nowMs: number, airtimeMs: number, windowMs: number, allowedPastMs: number): number {
    const windowStart = nowMs + airtimeMs - windowMs;
    let usedMs = 0;
    for (let i = this.spans.length - 2; i >= 0; i -= 2) {
      const start = this.spans[i] as number;
      const end = this.spans[i + 1] as number;
      if (end <= windowStart) break;
      const lengthMs = end - Math.max(start, windowStart);
      if (usedMs + lengthMs > allowedPastMs + epsilonMs) {
        // Only (allowed - used) of this span may stay inside: the window must start that far before its end.
        const mustStartAt = end - Math.max(0, allowedPastMs - usedMs);
        return mustStartAt - airtimeMs + windowMs;
      }
      usedMs += lengthMs;
    }
    return nowMs;
  }

  /** Records a transmission that started at `startMs`. */
  record(startMs: number, airtimeMs: number): void {
    this.spans.push(startMs, startMs + airtimeMs);
    this.totalMs += airtimeMs;
    this.prune(startMs);
  }

  /**
   * Own transmissions still inside the longest window, oldest first. The law
   * counts any hour, reboots included: the daemon saves this on shutdown (and
   * periodically) and record()s it back into a fresh limiter on start, so a
   * node that restarts cannot spend its budget twice. Needs a wall clock.
   */
  history(nowMs: number): { startMs: number; airtimeMs: number }[] {
    this.prune(nowMs);
    const out: { startMs: number; airtimeMs: number }[] = [];
    for (let i = 0; i < this.spans.length; i += 2) {
      const startMs = this.spans[i] as number;
      out.push({ startMs, airtimeMs: (this.spans[i + 1] as number) - startMs });
    }
    return out;
  }

  /** Own airtime ever recorded, ms. */
  get totalAirtimeMs(): number {
    return this.totalMs;
  }

  /** Airtime used in each budget's window ending now. */
  usage(nowMs: number): BudgetUsage[] {
    this.prune(nowMs);
    return this.budgets.map((b) => {
      const usedMs = this.airtimeWithin(nowMs - b.windowMs, nowMs);
      return { label: b.label, usedMs, budgetMs: b.budgetMs, windowMs: b.windowMs, fraction: usedMs / b.budgetMs };
    });
  }

  private airtimeWithin(fromMs: number, toMs: number): number {
    let sum = 0;
    for (let i = 0; i < this.spans.length; i += 2) {
      const start = this.spans[i] as number;
      const end = this.spans[i + 1] as number;
      if (end > fromMs && start < toMs) sum += Math.min(end, toMs) - Math.max(start, fromMs);
    }
    return sum;
  }

  private prune(nowMs: number): void {
    let drop = 0;
    while (drop < this.spans.length && (this.spans[drop + 1] as number) <= nowMs - this.longestWindowMs) drop += 2;
    // In place: record() prunes once per frame sent, and a copy per frame was garbage per frame.
    if (drop > 0) {
      this.spans.copyWithin(0, drop);
      this.spans.length -= drop;
    }
  }
}
