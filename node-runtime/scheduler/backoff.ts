/**
 * Listen-before-talk backoff: when carrier sense finds the channel busy, wait
 * a random number of slots in [1, cw] and listen again, doubling cw (binary
 * exponential, as 802.11 DCF and LoRa CAD-based MACs do) up to a cap; reset
 * after a frame goes out. Randomness comes from the injected RandomSource.
 */
import type { RandomSource } from '../../protocol/random.ts';

/** Uniform float in [0, 1) from 32 random bits (4 bytes, big-endian), the one draw every transmit path uses. */
export function uniformUnit(random: RandomSource): number {
  const b = random.bytes(4);
  const x = (((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>> 0;
  return x / 4294967296;
}

/** Uniform integer in [0, n) from 32 random bits (bias below 2^-32 * n, irrelevant for backoff). */
export function randomBelow(random: RandomSource, n: number): number {
  return Math.floor(uniformUnit(random) * n);
}

export class ContentionWindow {
  private cw: number;

  constructor(private readonly minSlots: number, private readonly maxSlots: number) {
    this.cw = minSlots;
  }

  /** Slots to wait now (1..cw); widens the window for the next busy channel. */
  nextSlots(random: RandomSource): number {
    const slots = 1 + randomBelow(random, this.cw);
    this.cw = Math.min(this.maxSlots, this.cw * 2);
    return slots;
  }

  get currentSlots(): number {
    return this.cw;
  }

  reset(): void {
    this.cw = this.minSlots;
  }
}
