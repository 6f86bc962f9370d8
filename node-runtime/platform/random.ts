/**
 * The platform CSPRNG (STYLE.md rule 7: the one place randomness comes from in production).
 *
 * Small draws are served from a pool refilled 4 KB at a time: a relay draws
 * a few bytes per forwarded frame (the blind-repeat delay of an ack), and
 * one `randomBytes` call per draw was a trip into OpenSSL with its fork
 * check (a `getpid` system call) each time. The bytes are the same CSPRNG's,
 * each served once; the pool forgets what it served (zeroed), so a key drawn
 * from it does not stay behind in it. Draws over 256 bytes skip the pool.
 */
import { randomFillSync } from 'node:crypto';
import type { RandomSource } from '../../protocol/random.ts';

export const RANDOM_POOL_BYTES = 4096;
/** Larger draws go straight to the source (rare: bulk padding, tests). */
export const RANDOM_POOLED_MAX = 256;

/** A RandomSource over `fill` (which fills its argument with random bytes), pooled as above. */
export function pooledRandom(fill: (into: Uint8Array) => void, poolBytes = RANDOM_POOL_BYTES): RandomSource {
  const pool = new Uint8Array(poolBytes);
  let next = poolBytes;
  return {
    bytes(length: number): Uint8Array {
      const out = new Uint8Array(length);
      if (length > RANDOM_POOLED_MAX || length > poolBytes) {
        fill(out);
        return out;
      }
      if (next + length > poolBytes) {
        fill(pool);
        next = 0;
      }
      const end = next + length;
      out.set(pool.subarray(next, end));
      pool.fill(0, next, end);
      next = end;
      return out;
    },
  };
}

export const systemRandom: RandomSource = pooledRandom((into) => {
  randomFillSync(into);
});
