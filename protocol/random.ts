/**
 * Randomness is injected (STYLE.md rule 7): production code passes the
 * platform CSPRNG (node-runtime/platform/random.ts), tests pass a seeded
 * deterministic source so that every byte they assert is reproducible.
 */
export interface RandomSource {
  /** Returns `length` fresh random bytes. Must be cryptographically secure in production. */
  bytes(length: number): Uint8Array;
}
