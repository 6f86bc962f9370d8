/** Real headless Chromium (Debian's, driven by playwright-core) and meow-node processes with the web client on. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM);
const bin = new URL('../../bin/meow-node.js', import.meta.url).pathname;

/** DESIGN.md section 7, plus what keeps a test browser from calling anywhere. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function phone(): Promise<BrowserContext> {
  // launchPersistentContext gives each user a fresh --user-data-dir of their own.
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'meow-chromium-')), {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 360, height: 640 }, deviceScaleFactor: 1,
  });
}

export interface WebNode {
  readonly child: ChildProcess;
  readonly statusPort: number;
  readonly webPort?: number;
  readonly dir: string;
  out: string;
}

/** `web` adds to the node's web config (host, mdnsName); `extra` to the node's config (gateway.relays). */
export function startWebNode(
  root: string, name: string, ports: { udp: number; peer: number; status: number; web?: number }, web: Record<string, unknown> = {}, extra: Record<string, unknown> = {},
): WebNode {
  const dir = join(root, name);
  const config = join(root, `${name}.json`);
  writeFileSync(config, JSON.stringify({
    dataDir: dir, region: 'none', log: { level: 'warn' }, status: { port: ports.status },
    links: [{ type: 'udp', port: ports.udp, bindAddress: '127.0.0.1', peers: [`127.0.0.1:${ports.peer}`], mdns: false }],
    ...(ports.web ? { web: { enabled: true, port: ports.web, ...web } } : {}),
    ...extra,
  }));
  const child = spawn(process.execPath, [bin, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const node: WebNode = { child, statusPort: ports.status, dir, out: '', ...(ports.web ? { webPort: ports.web } : {}) };
  child.stdout!.on('data', (d: Buffer) => (node.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (node.out += d.toString()));
  return node;
}

export async function until<T>(get: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await Promise.resolve(get()).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stopNode(node: WebNode): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => node.child.once('exit', () => resolve()));
  node.child.kill('SIGTERM');
  await exited;
}
