/**
 * Per-hop delays (whitepaper 1.2.2; Loopix, Piotrowska et al. 2017, section
 * 4.2): the sender draws each hop's delay from an exponential distribution,
 * so that a relay's output order is independent of its input order (the
 * exponential is memoryless: a packet that has waited tells nothing about
 * how long it will still wait). The delay rides inside the layer as a
 * 7-bit code on a geometric scale, 12.5 % per step:
 *
 *   code 0      -> 0 ms
 *   code c > 0  -> round(10 ms x 1.125^(c - 1))     (c = 127: about 7.7 hours)
 *
 * Quantising to the nearest code changes a drawn delay by at most 6 %.
 */
import type { RandomSource } from '../random.ts';
import { DELAY_CODE_MASK } from './constants.ts';

const BASE_MS = 10;
const RATIO = 1.125;
const LOG_RATIO = Math.log(RATIO);

export const MAX_DELAY_CODE = DELAY_CODE_MASK;

export function delayMsOfCode(code: number): number {
  const c = code & DELAY_CODE_MASK;
  return c === 0 ? 0 : Math.round(BASE_MS * RATIO ** (c - 1));
}

/** The code whose delay is nearest (in ratio) to `delayMs`; below 10 ms rounds to 0 or 10 ms. */
export function delayCodeOf(delayMs: number): number {
  if (!(delayMs >= BASE_MS / 2)) return 0;
  if (delayMs <= BASE_MS) return 1;
  const c = 1 + Math.round(Math.log(delayMs / BASE_MS) / LOG_RATIO);
  return Math.min(c, MAX_DELAY_CODE);
}

/** A uniform number in (0, 1] from 53 random bits. */
function unitOpenZero(random: RandomSource): number {
  const b = random.bytes(7);
  let x = 0;
  for (let i = 0; i < 7; i++) x = x * 256 + (b[i] as number);
  // 56 bits drawn, 53 kept: x / 2^56 in [0, 1); shift to (0, 1].
  return (Math.floor(x / 8) + 1) / 2 ** 53;
}

/** Exponential draw with mean `meanMs` (inverse transform: -mean ln U), as a delay code. */
export function drawDelayCode(random: RandomSource, meanMs: number): number {
  if (meanMs <= 0) return 0;
  return delayCodeOf(-meanMs * Math.log(unitOpenZero(random)));
}
