/**
 * Builds the browser client (apps/web) in memory with esbuild: one script,
 * one style sheet and one page, minified, each kept with its gzip form so
 * a phone on a weak link downloads the small one. Built when the node
 * starts with the web client on (about a second on a Pi), never committed:
 * what the node serves is always its own source (docs/WEB.md, "Build").
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Issue 12: the whole app, compressed, loads over a weak link. */
export const MAX_APP_GZIP_BYTES = 300 * 1024;

export interface WebAsset {
  readonly type: string;
  readonly body: Uint8Array;
  readonly gzip: Uint8Array;
}

export interface WebBundle {
  /** By URL path: '/', '/app.js', '/app.css'. */
  readonly assets: ReadonlyMap<string, WebAsset>;
  readonly gzipBytes: number;
  readonly rawBytes: number;
}

export class WebBundleTooLarge extends Error {
  override readonly name = 'WebBundleTooLarge';
}

const WEB_SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');

function asset(type: string, body: Uint8Array): WebAsset {
  return { type, body, gzip: gzipSync(body, { level: 9 }) };
}

export async function buildWebBundle(sourceDir = WEB_SOURCE): Promise<WebBundle> {
  const result = await build({
    entryPoints: { app: join(sourceDir, 'main.ts'), style: join(sourceDir, 'style.css') },
    bundle: true, minify: true, write: false, format: 'esm', platform: 'browser', target: 'es2022',
    outdir: '/out', legalComments: 'none', logLevel: 'silent',
    // qrcode and jsqr mention Node's Buffer in code paths the page never takes.
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('app.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('style.css'));
  if (!js || !css) throw new Error('esbuild gave no app.js or style.css');
  const html = readFileSync(join(sourceDir, 'index.html'));
  const assets = new Map<string, WebAsset>([
    ['/', asset('text/html; charset=utf-8', html)],
    ['/app.js', asset('text/javascript; charset=utf-8', js.contents)],
    ['/app.css', asset('text/css; charset=utf-8', css.contents)],
  ]);
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const a of assets.values()) {
    gzipBytes += a.gzip.length;
    rawBytes += a.body.length;
  }
  if (gzipBytes > MAX_APP_GZIP_BYTES) {
    throw new WebBundleTooLarge(`the web client is ${gzipBytes} bytes compressed, over the ${MAX_APP_GZIP_BYTES} byte budget`);
  }
  return { assets, gzipBytes, rawBytes };
}
