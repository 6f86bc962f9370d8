/**
 * Deterministic fuzz inputs for decoders: random byte strings and mutations
 * of valid envelopes (bit flips, byte overwrites, insertions, deletions,
 * truncations, extensions). A plain seeded loop keeps 100,000 inputs within
 * a second or two.
 */
import { SeededRandom } from '../../protocol/seeded-random.ts';

export function randomInput(rnd: SeededRandom, maxLength: number): Uint8Array {
  return rnd.bytes(rnd.int(maxLength + 1));
}

export function mutate(rnd: SeededRandom, input: Uint8Array): Uint8Array {
  const out = Array.from(input);
  const edits = 1 + rnd.int(3);
  for (let e = 0; e < edits; e++) {
    const at = out.length === 0 ? 0 : rnd.int(out.length);
    switch (rnd.int(6)) {
      case 0: if (out.length) out[at] = (out[at] as number) ^ (1 << rnd.int(8)); break;
      case 1: if (out.length) out[at] = rnd.int(256); break;
      case 2: out.splice(at, 0, rnd.int(256)); break;
      case 3: out.splice(at, 1); break;
      case 4: out.length = rnd.int(out.length + 1); break;
      default: out.push(...rnd.bytes(1 + rnd.int(8)));
    }
  }
  return Uint8Array.from(out);
}

/**
 * Runs `decode` on `count` inputs, half random, half mutated from `valid`,
 * and returns how many were accepted. The decoder must never throw.
 */
export function fuzzDecoder(
  seed: string, count: number, valid: readonly Uint8Array[], maxRandomLength: number,
  decode: (bytes: Uint8Array) => { ok: boolean },
): { accepted: number; rejected: number } {
  const rnd = new SeededRandom(seed);
  let accepted = 0;
  for (let i = 0; i < count; i++) {
    const input = i % 2 === 0
      ? randomInput(rnd, maxRandomLength)
      : mutate(rnd, valid[rnd.int(valid.length)] as Uint8Array);
    if (decode(input).ok) accepted++;
  }
  return { accepted, rejected: count - accepted };
}
