/**
 * `npm run bench [-- --json] [-- --quick] [-- --only NAME]`: runs every
 * scripts/bench/*.bench.ts in turn.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark, BenchResult } from './harness.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();

function print(r: BenchResult): void {
  if (json) {
    const line: Record<string, unknown> = { name: r.name, value: round(r.value), unit: r.unit };
    if (r.baseline !== undefined) {
      line.baseline = round(r.baseline);
      line.ratio = round(r.ratio ?? 0);
      if (r.baselineName) line.baselineName = r.baselineName;
    }
    console.log(JSON.stringify(line));
  } else {
    const base = r.baseline !== undefined
      ? `   baseline ${round(r.baseline)} ${r.unit} (${r.baselineName ?? 'baseline'}), ratio ${round(r.ratio ?? 0)}`
      : '';
    console.log(`${r.name.padEnd(34)} ${String(round(r.value)).padStart(12)} ${r.unit}${base}`);
  }
}

function round(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 1000) / 1000;
}

for (const file of files) {
  if (only && !file.startsWith(only)) continue;
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Benchmark };
  if (!json) console.log(`# ${file}`);
  await mod.default({ report: print, quick });
}
