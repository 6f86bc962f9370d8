/**
 * What a mesh node may make a gateway fetch for it (issue 9 item 6). Each
 * registration (protocol/gateway/registration.ts) makes the gateway
 * register a mailbox at a relay and poll it until the registration expires,
 * and lookup key pairs cost nothing to make: without a bound, one radio
 * user could have the gateway poll thousands of mailboxes and fill its book
 * (MailFetcher's 1,000), and nobody else could register. So, per node the
 * router authenticated (registrations from anyone else are refused before
 * this, gateway-role.ts):
 *  - at most `perNode` live registrations (default 4: a user has one or a
 *    few mailboxes); a newer registration of a mailbox the node already has
 *    replaces it and is free (renewals never wait);
 *  - new registrations draw on a rate (a GatewayAllowance of its own, so a
 *    flood of fresh node keys lands in the small allowance they share once
 *    the budget of new senders is spent, as for deposits);
 *  - at most `total` live registrations over all nodes: with the bound per
 *    node, one node holds at most `perNode` of them.
 * Registrations read back from the book after a restart were admitted when
 * they came: they are counted (toward their node's bound and the total),
 * never charged nor refused. A refusal takes nothing.
 */
import { type BucketSpec, GatewayAllowance } from './gateway-allowance.ts';
import { DEFAULT_MAX_REGISTRATIONS } from './mail-fetcher.ts';

export interface RegistrationAllowanceOptions {
  /** Live registrations per node. Default 4. */
  readonly perNode?: number;
  /** Live registrations over all nodes. Default MailFetcher's ceiling (1,000). */
  readonly total?: number;
  /** New registrations per node. Default 4, refilled at 4 a day. */
  readonly newPerNode?: BucketSpec;
  /** Nodes new to this allowance that get a rate of their own. Default 20, refilled at 20 a day. */
  readonly newNodes?: BucketSpec;
  /** New registrations shared by the nodes past that budget. Default 4, refilled at 4 an hour. */
  readonly sharedByNewNodes?: BucketSpec;
}

/** Why a registration was refused: the code logged. */
export type RegistrationRefusal = 'node-bound' | 'book-full' | 'over-rate';

/** `replacement`: of a mailbox the node already has (free); `new`: one rate token taken (refund() if it is not kept). */
export type RegistrationAdmission = 'replacement' | 'new' | RegistrationRefusal;

export interface RegistrationAllowanceStats {
  nodeBound: number;
  bookFull: number;
  overRate: number;
}

const DAY_S = 86_400;

interface Live {
  /** The node it delivers to (hex node id). */
  readonly node: string;
  readonly expiresAtSec: number;
}

export class RegistrationAllowance {
  readonly stats: RegistrationAllowanceStats = { nodeBound: 0, bookFull: 0, overRate: 0 };
  /** Live registrations by lookup public key (hex). */
  private readonly live = new Map<string, Live>();
  private readonly rate: GatewayAllowance;
  private readonly perNode: number;
  private readonly total: number;

  constructor(options: RegistrationAllowanceOptions = {}) {
    this.perNode = options.perNode ?? 4;
    this.total = options.total ?? DEFAULT_MAX_REGISTRATIONS;
    // No stamp is minted for a registration: the allowance's work ceiling is never asked.
    this.rate = new GatewayAllowance({
      stampBits: 0,
      perSender: options.newPerNode ?? { capacity: 4, refillPerSecond: 4 / DAY_S },
      newSenders: options.newNodes ?? { capacity: 20, refillPerSecond: 20 / DAY_S },
      unauthenticated: options.sharedByNewNodes ?? { capacity: 4, refillPerSecond: 4 / 3600 },
    });
  }

  /**
   * Decides on a registration of mailbox `lookup` (lookup public key, hex)
   * from `node` (the authenticated sender, hex node id, its deliverTo).
   * Cheapest refusal first; only `new` takes anything (one rate token).
   */
  admit(node: string, lookup: string, nowMs: number): RegistrationAdmission {
    this.forgetExpired(nowMs);
    if (this.live.get(lookup)?.node === node) return 'replacement';
    if (this.count(node) >= this.perNode) {
      this.stats.nodeBound++;
      return 'node-bound';
    }
    // A mailbox kept for another node moves to this one: it takes no room in the book.
    if (!this.live.has(lookup) && this.live.size >= this.total) {
      this.stats.bookFull++;
      return 'book-full';
    }
    if (!this.rate.admit(node, nowMs)) {
      this.stats.overRate++;
      return 'over-rate';
    }
    return 'new';
  }

  /** Gives back the token admit() took for `node` when the registration was not kept after all (the fetcher refused it). */
  refund(node: string): void {
    this.rate.refund(node);
  }

  /** Counts a registration the gateway kept: admitted above, or read back from the book after a restart. */
  kept(node: string, lookup: string, expiresAtSec: number): void {
    this.live.set(lookup, { node, expiresAtSec });
  }

  /** Live registrations of `node`. */
  countOf(node: string, nowMs: number): number {
    this.forgetExpired(nowMs);
    return this.count(node);
  }

  private count(node: string): number {
    let n = 0;
    for (const l of this.live.values()) if (l.node === node) n++;
    return n;
  }

  /** An expired registration no longer counts (MailFetcher forgets it at its next pass). */
  private forgetExpired(nowMs: number): void {
    const nowSec = Math.floor(nowMs / 1000);
    for (const [lookup, l] of this.live) if (l.expiresAtSec <= nowSec) this.live.delete(lookup);
  }
}
