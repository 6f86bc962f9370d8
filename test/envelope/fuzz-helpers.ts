/**
 * Deterministic fuzz inputs for decoders: random byte strings and mutations
 * of valid envelopes (bit flips, byte overwrites, insertions, deletions,
 * truncations, extensions). A plain seeded loop keeps 100,000 inputs within
 * a second or two.
 */
/**
 * Fast deterministic generator for fuzz inputs only (mulberry32): the
 * SHA-256-based SeededRandom costs a hash per 32 bytes, which dominates a
 * 100,000-input run. Never for keys.
 */
export class FuzzRandom {
  private state: number;

  constructor(seed: string) {
    let h = 2166136261;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
    this.state = h >>> 0;
  }

  next32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, n) for n <= 2^32. */
  int(n: number): number {
    return Math.floor((this.next32() / 2 ** 32) * n);
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.next32() & 0xff;
    return out;
  }
}

export function randomInput(rnd: FuzzRandom, maxLength: number): Uint8Array {
  return rnd.bytes(rnd.int(maxLength + 1));
}

export function mutate(rnd: FuzzRandom, input: Uint8Array): Uint8Array {
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
  const rnd = new FuzzRandom(seed);
  let accepted = 0;
  for (let i = 0; i < count; i++) {
    const input = i % 2 === 0
      ? randomInput(rnd, maxRandomLength)
      : mutate(rnd, valid[rnd.int(valid.length)] as Uint8Array);
    if (decode(input).ok) accepted++;
  }
  return { accepted, rejected: count - accepted };
}
