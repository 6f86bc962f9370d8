/**
 * A share of the channel's time, as a token bucket in ms of airtime:
 * refilled at `share` ms per ms, holding at most `bucketMs` (a burst).
 * The router gives flood relays such budgets (relay.ts): a flood costs a
 * frame from most nodes it reaches, so one node injecting floods at its
 * duty-cycle limit (junk broadcasts on the public network key) would
 * otherwise make every neighbour spend as much again (issue 9, the flooder
 * in the simulator's adversary).
 */
export class AirtimeBudget {
  private tokensMs: number;
  private lastRefillMs: number;

  constructor(private readonly share: number, private readonly bucketMs: number, nowMs: number) {
    this.tokensMs = bucketMs;
    this.lastRefillMs = nowMs;
  }

  /** Takes `airtimeMs` from the budget; false (nothing taken) when it would exceed the share. */
  spend(airtimeMs: number, nowMs: number): boolean {
    this.tokensMs = Math.min(this.bucketMs, this.tokensMs + Math.max(0, nowMs - this.lastRefillMs) * this.share);
    this.lastRefillMs = nowMs;
    if (airtimeMs > this.tokensMs) return false;
    this.tokensMs -= airtimeMs;
    return true;
  }
}
