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
 * The sender is the best name the mesh gives: until the router hands the
 * gateway an authenticated source (DeliverMeta), requests fall back to
 * their relay mailbox tag, which an attacker chooses: the ceiling, not the
 * per-sender allowance, is then what protects the CPU.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import type { LookupKeyPair } from '../../protocol/keys/keys.ts';
import type { Clock } from '../../seams/clock.ts';
import { type FetchedMessage, type RelayPort, RelayUnreachableError } from '../../seams/relay-port.ts';

export interface BucketSpec {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

export interface GatewayAllowanceOptions {
  /** Deposits per mesh sender. Default 60, refilled at 60 an hour. */
  readonly perSender?: BucketSpec;
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
}

export interface GatewayAllowanceStats {
  senderRefusals: number;
  ceilingDeferrals: number;
}

export class GatewayAllowance {
  readonly stats: GatewayAllowanceStats = { senderRefusals: 0, ceilingDeferrals: 0 };
  private readonly senders: Buckets;
  private readonly work: Buckets;
  private readonly stampCost: number;

  constructor(options: GatewayAllowanceOptions) {
    this.senders = new Buckets(options.perSender ?? { capacity: 60, refillPerSecond: 60 / 3600 }, options.maxSenders ?? 10_000);
    const perMinute = options.workPerMinute ?? 2 ** 22;
    // A stamp of b bits costs 2^b hashes on average; with no stamp, a deposit still counts as one unit.
    this.stampCost = options.stampBits > 0 ? 2 ** options.stampBits : 1;
    // A stamp dearer than a minute's ceiling still goes, once the bucket has refilled to its cost
    // (28 bits under the default ceiling: one deposit an hour).
    this.work = new Buckets({ capacity: Math.max(perMinute, this.stampCost), refillPerSecond: perMinute / 60 }, 1);
  }

  /** The sender key of a deposit: the mesh sender when known, else its relay mailbox tag. */
  static senderOf(sender: string | undefined, tag: Uint8Array): string {
    return sender ?? `tag:${toHex(tag)}`;
  }

  /** One deposit for `sender`; false when the sender is over its allowance. */
  admit(sender: string, nowMs: number): boolean {
    if (this.senders.take(sender, nowMs, 1)) return true;
    this.stats.senderRefusals++;
    return false;
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
