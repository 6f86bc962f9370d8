/** The platform CSPRNG (STYLE.md rule 7: the one place randomness comes from in production). */
import { randomBytes } from 'node:crypto';
import type { RandomSource } from '../../protocol/random.ts';

export const systemRandom: RandomSource = {
  bytes: (length) => new Uint8Array(randomBytes(length)),
};
