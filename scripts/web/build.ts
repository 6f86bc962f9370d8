/**
 * `npx tsx scripts/web/build.ts [--out DIR]`: builds the browser client as
 * the node does at start, prints its size per file and compressed, and
 * exits 1 over the 300 KB budget. With --out, writes the files (to look at
 * them; the node never serves a written copy).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWebBundle, MAX_APP_GZIP_BYTES, WebBundleTooLarge } from '../../apps/meow-node/web/bundle.ts';

async function run(argv: string[]): Promise<number> {
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  try {
    const bundle = await buildWebBundle();
    for (const [path, a] of bundle.assets) {
      process.stdout.write(`${path.padEnd(10)} ${String(a.body.length).padStart(8)} B  gzip ${String(a.gzip.length).padStart(7)} B\n`);
      if (out) {
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, path === '/' ? 'index.html' : path.slice(1)), a.body);
      }
    }
    process.stdout.write(`web client: ${bundle.rawBytes} B, ${bundle.gzipBytes} B compressed (budget ${MAX_APP_GZIP_BYTES} B)\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`web build: ${e instanceof WebBundleTooLarge ? e.message : (e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await run(process.argv.slice(2));
