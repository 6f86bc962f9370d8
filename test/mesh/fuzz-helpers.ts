/** Fast deterministic byte generators for the decoder fuzz runs (xorshift32: cheap, seeded, reproducible). */
export class FuzzBytes {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  int(n: number): number {
    return this.next() % n;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff;
    return out;
  }

  /** A copy of `valid` with 1..3 random byte edits, a random truncation or a random extension. */
  mutate(valid: Uint8Array): Uint8Array {
    const choice = this.int(4);
    if (choice === 0) return valid.slice(0, this.int(valid.length + 1));
    if (choice === 1) {
      const out = new Uint8Array(valid.length + 1 + this.int(8));
      out.set(valid);
      out.set(this.bytes(out.length - valid.length), valid.length);
      return out;
    }
    const out = valid.slice();
    const edits = 1 + this.int(3);
    for (let e = 0; e < edits && out.length > 0; e++) {
      const at = this.int(out.length);
      out[at] = (out[at] as number) ^ (1 + this.int(255));
    }
    return out;
  }
}
