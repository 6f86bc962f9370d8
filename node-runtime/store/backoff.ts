/**
 * Retry delays for the outbox: exponential backoff with "equal jitter"
 * (M. Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog,
 * 2015). After a gateway regains the Internet or a neighbour comes back in
 * range, every node that failed at the same moment would otherwise retry at
 * the same moment and collide again; the jitter spreads them, while the
 * lower bound (1 - jitter) keeps a retry from coming back almost at once.
 */
import type { RandomSource } from '../../protocol/random.ts';
import { StoreArgumentError } from './errors.ts';
import type { BackoffPolicy } from '../../seams/store.ts';

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 2_000,
  factor: 2,
  maxMs: 15 * 60_000,
  jitter: 0.5,
};

export function checkBackoffPolicy(policy: BackoffPolicy): BackoffPolicy {
  const { baseMs, factor, maxMs, jitter } = policy;
  if (!(Number.isFinite(baseMs) && baseMs >= 0)) throw new StoreArgumentError('backoff.baseMs must be a finite number >= 0');
  if (!(Number.isFinite(factor) && factor >= 1)) throw new StoreArgumentError('backoff.factor must be a finite number >= 1');
  if (!(Number.isFinite(maxMs) && maxMs >= baseMs)) throw new StoreArgumentError('backoff.maxMs must be finite and >= baseMs');
  if (!(Number.isFinite(jitter) && jitter >= 0 && jitter <= 1)) throw new StoreArgumentError('backoff.jitter must be in [0, 1]');
  return policy;
}

/** Uniform draw in [0, 1) from 6 random bytes (48 bits: far finer than a millisecond of any delay here). */
export function uniform(random: RandomSource): number {
  const b = random.bytes(6);
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + (b[i] as number);
  return v / 2 ** 48;
}

/**
 * Delay before the retry that follows `attempts` attempts (1 = the first
 * attempt failed), in whole ms. Always within
 * [(1 - jitter) * ceiling, ceiling] with ceiling = min(maxMs, baseMs * factor^(attempts-1)).
 */
export function backoffDelayMs(attempts: number, policy: BackoffPolicy, random: RandomSource): number {
  const exponent = Math.max(0, attempts - 1);
  // Floating point: a large exponent gives Infinity, which the cap turns into maxMs
  // (and 0 * Infinity would be NaN, hence the zero base case).
  const grown = policy.baseMs === 0 ? 0 : policy.baseMs * Math.pow(policy.factor, exponent);
  const ceiling = grown < policy.maxMs ? grown : policy.maxMs;
  const scale = 1 - policy.jitter * uniform(random);
  return Math.floor(ceiling * scale);
}
