/**
 * Deterministic random source for tests and the simulator: SHA-256 in
 * counter mode over a seed. Never use it for real keys (production uses
 * node-runtime/platform/random.ts).
 */
import { hash as sha256 } from '@stablelib/sha256';
import type { RandomSource } from './random.ts';

export class SeededRandom implements RandomSource {
  private counter = 0;
  private pool: Uint8Array = new Uint8Array(0);
  private poolAt = 0;
  private readonly seed: Uint8Array;

  constructor(seed: number | string) {
    this.seed = new TextEncoder().encode(`meow-seeded-random:${seed}`);
  }

  private refill(): void {
    const block = new Uint8Array(this.seed.length + 4);
    block.set(this.seed);
    new DataView(block.buffer).setUint32(this.seed.length, this.counter++);
    this.pool = sha256(block);
    this.poolAt = 0;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      if (this.poolAt >= this.pool.length) this.refill();
      out[i] = this.pool[this.poolAt++] as number;
    }
    return out;
  }

  /** Uniform float in [0, 1), for simulations. */
  float(): number {
    const b = this.bytes(7);
    let v = 0;
    for (const x of b) v = v * 256 + x;
    return (v % 2 ** 53) / 2 ** 53;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
}
