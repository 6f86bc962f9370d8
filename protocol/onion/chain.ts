/**
 * Choosing a chain for one message (whitepaper 1.2.2; issue 13): the first
 * relay from the user's trusted list, the last the relay holding the
 * contact's mailbox, the ones between drawn at random from the catalog for
 * every message, all distinct. Relays that just failed can be excluded.
 */
import type { RandomSource } from '../random.ts';
import type { OnionRelayInfo } from './catalog.ts';
import { OnionUsageError } from './errors.ts';

export interface ChainRequest {
  readonly catalog: readonly OnionRelayInfo[];
  /** Hex server ids the user trusts as first hop, in order of preference (one is drawn). */
  readonly trusted: readonly string[];
  /** Hex server id of the contact's mailbox relay. */
  readonly mailbox: string;
  /** Relays in the chain, first and last included (>= 1; 1 is the mailbox relay alone). */
  readonly hops: number;
  /** Hex ids to leave out (a chain that failed). */
  readonly exclude?: ReadonlySet<string>;
}

/** A uniform index below n (rejection sampling on 32 bits: no modulo bias). */
export function uniformIndex(random: RandomSource, n: number): number {
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  for (;;) {
    const b = random.bytes(4);
    const x = (((b[0] as number) << 24) >>> 0) + ((b[1] as number) << 16) + ((b[2] as number) << 8) + (b[3] as number);
    if (x < limit) return x % n;
  }
}

/** The chain, first hop first. Throws OnionUsageError when the catalog cannot make one. */
export function pickChain(random: RandomSource, r: ChainRequest): OnionRelayInfo[] {
  if (!Number.isInteger(r.hops) || r.hops < 1) throw new OnionUsageError('a chain has at least one relay');
  const byId = new Map(r.catalog.map((x) => [x.id, x]));
  const last = byId.get(r.mailbox);
  if (!last) throw new OnionUsageError('the contact\'s mailbox relay is not in the catalog (or announces no onion key)');
  if (r.hops === 1) return [last];
  const usable = (id: string) => id !== r.mailbox && !r.exclude?.has(id) && byId.has(id);
  const firsts = r.trusted.filter(usable);
  if (firsts.length === 0) throw new OnionUsageError('no trusted relay is usable as first hop');
  const first = byId.get(firsts[uniformIndex(random, firsts.length)] as string) as OnionRelayInfo;
  const pool = r.catalog.filter((x) => usable(x.id) && x.id !== first.id);
  const middles: OnionRelayInfo[] = [];
  for (let i = 0; i < r.hops - 2; i++) {
    if (pool.length === 0) throw new OnionUsageError(`the catalog has too few relays for ${r.hops} hops`);
    middles.push(pool.splice(uniformIndex(random, pool.length), 1)[0] as OnionRelayInfo);
  }
  return [first, ...middles, last];
}
