/** Two meow-node processes on loopback for end-to-end tests, and a small local API client. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryResponse, MessageView } from '../../seams/local-api.ts';

const bin = new URL('../../bin/meow-node.js', import.meta.url).pathname;

export interface NodeProcess {
  readonly dir: string;
  readonly statusPort: number;
  child: ChildProcess;
  stderr: string;
  token?: string;
}

/** `extra` adds top-level config fields (e.g. `gateway: { relays: [...] }`, `broadcast: { trusted: [...] }`). */
export function startNode(root: string, name: string, udpPort: number, peerPort: number, statusPort: number, extra: Record<string, unknown> = {}): NodeProcess {
  const dir = join(root, name);
  const configPath = join(root, `${name}.json`);
  writeFileSync(configPath, JSON.stringify({
    dataDir: dir, region: 'none', log: { level: 'warn' }, status: { port: statusPort },
    links: [{ type: 'udp', port: udpPort, bindAddress: '127.0.0.1', peers: [`127.0.0.1:${peerPort}`], mdns: false }],
    ...extra,
  }));
  const node: NodeProcess = { dir, statusPort, child: spawn(process.execPath, [bin, '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] }), stderr: '' };
  node.child.stderr!.on('data', (d: Buffer) => (node.stderr += d.toString()));
  return node;
}

export function restart(root: string, node: NodeProcess, name: string): void {
  node.child = spawn(process.execPath, [bin, '--config', join(root, `${name}.json`)], { stdio: ['ignore', 'ignore', 'pipe'] });
  node.child.stderr!.on('data', (d: Buffer) => (node.stderr += d.toString()));
}

export async function kill9(node: NodeProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => node.child.once('exit', () => resolve()));
  node.child.kill('SIGKILL');
  await exited;
}

export async function stop(node: NodeProcess): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => node.child.once('exit', () => resolve()));
  node.child.kill('SIGTERM');
  await exited;
}

export async function api<T = Record<string, unknown>>(node: NodeProcess, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  node.token ??= readFileSync(join(node.dir, 'api.token'), 'utf8').trim();
  const res = await fetch(`http://127.0.0.1:${node.statusPort}${path}`, {
    method, headers: { authorization: `Bearer ${node.token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as T };
}

/** A conversation's last 100 messages, as the node's local API gives them. */
export async function history(node: NodeProcess, contactId: string): Promise<readonly MessageView[]> {
  return (await api<HistoryResponse>(node, 'GET', `/v1/contacts/${contactId}/messages?limit=100`)).json.messages;
}

/** Polls an async condition every 50 ms until it gives a value. */
export async function eventually<T>(get: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the node answers its local API. */
export async function ready(node: NodeProcess): Promise<void> {
  await eventually(async () => {
    try {
      return (await api(node, 'GET', '/v1/agent')).status === 200 ? true : undefined;
    } catch {
      return undefined;
    }
  }, 30_000, 'the local API');
}

const relayBin = new URL('../../bin/meow-relay.js', import.meta.url).pathname;

export interface RelayProcess {
  readonly url: string;
  readonly dir: string;
  readonly port: number;
  child: ChildProcess;
  out: string;
}

/** A real meow-relay on loopback; resolves once it says it listens. Restarting on the same directory and port keeps its mailboxes. */
export async function startRelay(dir: string, port: number, stampBits: number): Promise<RelayProcess> {
  const child = spawn(process.execPath, [relayBin, '--data', dir, '--port', String(port), '--stamp-bits', String(stampBits)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const relay: RelayProcess = { url: `http://127.0.0.1:${port}`, dir, port, child, out: '' };
  await new Promise<void>((resolve, reject) => {
    const seen = (d: Buffer): void => {
      relay.out += d.toString();
      if (relay.out.includes('listening')) resolve();
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (d: Buffer) => (relay.out += d.toString()));
    child.once('exit', (code) => reject(new Error(`meow-relay exited ${code}: ${relay.out}`)));
  });
  return relay;
}

export async function stopRelay(relay: RelayProcess): Promise<void> {
  if (relay.child.exitCode !== null || relay.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => relay.child.once('exit', () => resolve()));
  relay.child.kill('SIGTERM');
  await exited;
}
