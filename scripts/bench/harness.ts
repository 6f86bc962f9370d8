/**
 * Benchmark plumbing shared by every scripts/bench/*.bench.ts file.
 * A benchmark measures its figure and, where a baseline exists, the
 * baseline in the same run, and reports both; the runner prints a table or,
 * with --json, one JSON object per line: {name, value, unit[, baseline, ratio]}.
 */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  /** value / baseline, so > 1 means "more than the baseline" in the figure's unit. */
  ratio?: number;
  /** What the baseline is ("node:crypto ChaCha20-Poly1305", "naive flooding"). */
  baselineName?: string;
}

export interface BenchContext {
  report(result: BenchResult): void;
  /** True for a quick run (CI smoke): fewer iterations, same code paths. */
  quick: boolean;
}

export type Benchmark = (ctx: BenchContext) => Promise<void> | void;

/** Runs fn repeatedly for about `durationMs` and returns operations per second. */
export function opsPerSecond(fn: () => void, durationMs = 1000, nowMs: () => number = () => performance.now()): number {
  // Warm up so the JIT has compiled the hot path before timing.
  for (let i = 0; i < 50; i++) fn();
  let ops = 0;
  const start = nowMs();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < 20; i++) fn();
    ops += 20;
    elapsed = nowMs() - start;
  }
  return (ops * 1000) / elapsed;
}

export function withBaseline(name: string, value: number, unit: string, baseline: number, baselineName: string): BenchResult {
  return { name, value, unit, baseline, ratio: baseline === 0 ? 0 : value / baseline, baselineName };
}
