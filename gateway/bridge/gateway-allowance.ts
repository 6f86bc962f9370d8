/**
 * What a gateway spends on behalf of mesh users (issue 9 item 6). Each
 * deposit it carries to a relay costs it a proof-of-work stamp (2^bits
 * hashes: at 28 bits about a minute of a Pi's core), and all its users share
 * the gateway's one allowance at each relay. So:
 *  - each mesh sender gets its own deposit allowance (a token bucket); a
 *    sender over it is not acknowledged and retries later, so one user's
 *    flood waits while the others' deposits are queued;
 *  - the stamp work over all senders has a ceiling per minute: past it,
 *    deposits wait in the durable outbox (RelayUnreachableError, retried
 *    with backoff), nothing is dropped, and the CPU stays the radio's.
 * The sender is the mesh node the router authenticated (DeliverMeta
 * `source`: an origin MAC under a key only that node and this gateway
 * share), never a field the sender chooses. Requests with no authenticated
 * source (old nodes, senders that do not hold the gateway's key, forged
 * origins) all share one small allowance: naming another node or a fresh
 * mailbox tag buys nothing. Node keys cost nothing to make, so a sender the
 * gateway has not seen before gets its own allowance only while a budget of
 * new senders per hour lasts; past it, it draws on the shared one (an
 * attacker with many keys cannot push out the senders already known).
 */
import type { LookupKeyPair } from '../../protocol/keys/keys.ts';
import type { Clock } from '../../seams/clock.ts';
import { type FetchedMessage, type RelayPort, RelayUnreachableError } from '../../seams/relay-port.ts';

export interface BucketSpec {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

export interface GatewayAllowanceOptions {
  /** Deposits per authenticated mesh sender. Default 60, refilled at 60 an hour. */
  readonly perSender?: BucketSpec;
  /** Deposits shared by every sender the router could not authenticate. Default 20, refilled at 20 an hour. */
  readonly unauthenticated?: BucketSpec;
  /** Authenticated senders new to the gateway that get an allowance of their own. Default 30, refilled at 30 an hour. */
  readonly newSenders?: BucketSpec;
  /** Stamp difficulty the gateway mints at (its `depositStampBits`). */
  readonly stampBits: number;
  /** Most stamp hashes per minute over all senders. Default 2^22 (a few seconds of a Pi core). */
  readonly workPerMinute?: number;
  /** Senders tracked, least recently seen forgotten first. Default 10,000. */
  readonly maxSenders?: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** A token bucket over keys, bounded (the oldest key forgotten first: a forgotten key starts full). */
class Buckets {
  private readonly map = new Map<string, Bucket>();
  constructor(private readonly spec: BucketSpec, private readonly max: number) {}

  take(key: string, nowMs: number, cost: number): boolean {
    let b = this.map.get(key);
    if (b) {
      this.map.delete(key);
      b.tokens = Math.min(this.spec.capacity, b.tokens + (Math.max(0, nowMs - b.atMs) / 1000) * this.spec.refillPerSecond);
      b.atMs = Math.max(b.atMs, nowMs);
    } else {
      b = { tokens: this.spec.capacity, atMs: nowMs };
      if (this.map.size >= this.max) {
        const oldest = this.map.keys().next();
        if (!oldest.done) this.map.delete(oldest.value);
      }
    }
    this.map.set(key, b);
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    return true;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Gives back what take() just took (never above capacity). */
  give(key: string, cost: number): void {
    const b = this.map.get(key);
    if (b) b.tokens = Math.min(this.spec.capacity, b.tokens + cost);
  }
}

/** The key all unauthenticated requests share (no authenticated sender is spelt like it: theirs are hex node ids). */
const UNAUTHENTICATED = 'unauthenticated';

export interface GatewayAllowanceStats {
  senderRefusals: number;
  ceilingDeferrals: number;
  /** Deposits that drew on the shared allowance: no authenticated sender, or a new one past the new-sender budget. */
  unauthenticated: number;
}

export class GatewayAllowance {
  readonly stats: GatewayAllowanceStats = { senderRefusals: 0, ceilingDeferrals: 0, unauthenticated: 0 };
  private readonly senders: Buckets;
  private readonly shared: Buckets;
  private readonly newcomers: Buckets;
  private readonly work: Buckets;
  private readonly stampCost: number;

  constructor(options: GatewayAllowanceOptions) {
    this.senders = new Buckets(options.perSender ?? { capacity: 60, refillPerSecond: 60 / 3600 }, options.maxSenders ?? 10_000);
    this.shared = new Buckets(options.unauthenticated ?? { capacity: 20, refillPerSecond: 20 / 3600 }, 1);
    this.newcomers = new Buckets(options.newSenders ?? { capacity: 30, refillPerSecond: 30 / 3600 }, 1);
    const perMinute = options.workPerMinute ?? 2 ** 22;
    // A stamp of b bits costs 2^b hashes on average; with no stamp, a deposit still counts as one unit.
    this.stampCost = options.stampBits > 0 ? 2 ** options.stampBits : 1;
    // A stamp dearer than a minute's ceiling still goes, once the bucket has refilled to its cost
    // (28 bits under the default ceiling: one deposit an hour).
    this.work = new Buckets({ capacity: Math.max(perMinute, this.stampCost), refillPerSecond: perMinute / 60 }, 1);
  }

  /**
   * One deposit for `sender` (the authenticated source node id, hex; undefined
   * when the router could not authenticate one); false when over its allowance.
   */
  admit(sender: string | undefined, nowMs: number): boolean {
    const own = sender !== undefined && (this.senders.has(sender) || this.newcomers.take('all', nowMs, 1));
    if (!own) this.stats.unauthenticated++;
    if (own ? this.senders.take(sender, nowMs, 1) : this.shared.take(UNAUTHENTICATED, nowMs, 1)) return true;
    this.stats.senderRefusals++;
    return false;
  }

  /**
   * Gives back the deposit admit() just took for `sender`: the request was a
   * duplicate of one already queued or sent (a replay captured on air and
   * sent again after the router's window, or a retry), or it could not be
   * queued (outbox full), so the gateway spends nothing on it.
   */
  refund(sender: string | undefined): void {
    if (sender !== undefined && this.senders.has(sender)) this.senders.give(sender, 1);
    else this.shared.give(UNAUTHENTICATED, 1);
  }

  /** One stamp's work under the ceiling per minute; false when the ceiling is reached. */
  takeStamp(nowMs: number): boolean {
    if (this.work.take('all', nowMs, this.stampCost)) return true;
    this.stats.ceilingDeferrals++;
    return false;
  }
}

/** A relay port whose deposits first take one stamp's work from the allowance; over the ceiling they wait (unreachable, retried). */
export function ceilingRelayPort(port: RelayPort, allowance: GatewayAllowance, clock: Clock): RelayPort {
  return {
    url: port.url,
    probe: () => port.probe(),
    deposit(tag: Uint8Array, envelope: Uint8Array) {
      if (!allowance.takeStamp(clock.now())) {
        return Promise.reject(new RelayUnreachableError('proof-of-work ceiling reached for this minute: the deposit waits'));
      }
      return port.deposit(tag, envelope);
    },
    fetch: (lookup: LookupKeyPair, acks: readonly Uint8Array[]): Promise<FetchedMessage[]> => port.fetch(lookup, acks),
    register: (lookup: LookupKeyPair) => port.register(lookup),
    close: () => port.close(),
  };
}
