/** Shared by the store tests: a hand-driven clock, temp directories, byte helpers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { RandomSource } from '../../protocol/random.ts';

/** A clock that moves only when the test says so. */
export class ManualClock implements Clock {
  constructor(public nowMs = 1_000_000) {}
  now(): number {
    return this.nowMs;
  }
  advance(ms: number): void {
    this.nowMs += ms;
  }
  setTimer(_delayMs: number, _fn: () => void): TimerHandle {
    throw new Error('the store must not set timers');
  }
}

/** A RandomSource that always returns the same byte, for exact backoff values. */
export function constantRandom(byte: number): RandomSource {
  return { bytes: (n) => new Uint8Array(n).fill(byte) };
}

export interface TempDir {
  readonly path: string;
  file(name: string): string;
  remove(): void;
}

export function makeTempDir(prefix = 'meow-store-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file: (name) => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** `n` bytes whose values depend on `seed`, so two messages never look alike by accident. */
export function patterned(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (seed * 31 + i * 7 + (i >> 8)) & 0xff;
  return out;
}

export function id(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
