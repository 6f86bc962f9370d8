/**
 * Two nodes in two Linux network namespaces joined by a veth pair: each
 * finds the other by real mDNS and they exchange frames over real UDP, as
 * two boards on an isolated Wi-Fi LAN would. Needs root and iproute2 (CI
 * runs as root and .ci/run installs iproute2); where `ip netns` is not
 * permitted the test is skipped with the reason printed.
 */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const tag = String(process.pid % 100_000);
const nsA = `meow-h5a-${tag}`;
const nsB = `meow-h5b-${tag}`;
const vethA = `mwa${tag}`;
const vethB = `mwb${tag}`;
const script = fileURLToPath(new URL('./support/netns-node.ts', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

function ip(...args: string[]): { ok: boolean; error: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 5000 });
  const error = r.error ? r.error.message : r.stderr.trim();
  return { ok: r.status === 0, error };
}

function removeNamespaces(): void {
  ip('netns', 'del', nsA);
  ip('netns', 'del', nsB); // deleting a namespace deletes its end of the veth, and so the pair
}

/** Builds the two namespaces; returns why not if the system does not allow it. */
function setUpNamespaces(): string | undefined {
  removeNamespaces();
  const steps: string[][] = [
    ['netns', 'add', nsA],
    ['netns', 'add', nsB],
    ['link', 'add', vethA, 'type', 'veth', 'peer', 'name', vethB],
    ['link', 'set', vethA, 'netns', nsA],
    ['link', 'set', vethB, 'netns', nsB],
    ['-n', nsA, 'addr', 'add', '10.231.0.1/24', 'dev', vethA],
    ['-n', nsB, 'addr', 'add', '10.231.0.2/24', 'dev', vethB],
    ['-n', nsA, 'link', 'set', 'lo', 'up'],
    ['-n', nsB, 'link', 'set', 'lo', 'up'],
    ['-n', nsA, 'link', 'set', vethA, 'up'],
    ['-n', nsB, 'link', 'set', vethB, 'up'],
    // No default route in a bare namespace: give multicast (mDNS, 224.0.0.251) a way out.
    // On a Pi the default route already covers it.
    ['-n', nsA, 'route', 'add', '224.0.0.0/4', 'dev', vethA],
    ['-n', nsB, 'route', 'add', '224.0.0.0/4', 'dev', vethB],
  ];
  for (const step of steps) {
    const r = ip(...step);
    if (!r.ok) {
      removeNamespaces();
      return `ip ${step.join(' ')} failed: ${r.error || 'no output'}`;
    }
  }
  return undefined;
}

interface NodeResult {
  nodeId: string;
  outcome: string;
  discoveryMs: number;
  peers: Array<{ host: string; port: number; nodeId?: string; source: string }>;
  heard: string[];
}

function runNode(ns: string, nodeId: string, peerNodeId: string): Promise<{ code: number | null; result?: NodeResult; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, nodeId, peerNodeId, '15000'],
      { cwd: root, timeout: 20_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        let result: NodeResult | undefined;
        try { result = JSON.parse(line) as NodeResult; } catch { result = undefined; }
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, result, stderr });
      });
  });
}

describe('UDP link + mDNS between two network namespaces (veth)', () => {
  let skipReason: string | undefined;

  beforeAll(() => {
    skipReason = setUpNamespaces();
    if (skipReason) console.warn(`[udp-netns] skipped: network namespaces unavailable here (${skipReason})`);
  });

  afterAll(() => {
    removeNamespaces();
  });

  it('discovers the peer by mDNS and exchanges frames both ways', async (ctx) => {
    if (skipReason) ctx.skip();
    const [a, b] = await Promise.all([runNode(nsA, 'aa01', 'bb02'), runNode(nsB, 'bb02', 'aa01')]);
    const detail = `a: ${JSON.stringify(a.result)} ${a.stderr.slice(0, 500)}\nb: ${JSON.stringify(b.result)} ${b.stderr.slice(0, 500)}`;
    expect(a.code, detail).toBe(0);
    expect(b.code, detail).toBe(0);
    expect(a.result?.peers).toEqual([expect.objectContaining({ host: '10.231.0.2', nodeId: 'bb02', source: 'mdns' })]);
    expect(b.result?.peers).toEqual([expect.objectContaining({ host: '10.231.0.1', nodeId: 'aa01', source: 'mdns' })]);
    expect(a.result?.heard).toEqual([expect.stringMatching(/^hello from bb02 via 10\.231\.0\.2:\d+$/)]);
    expect(b.result?.heard).toEqual([expect.stringMatching(/^hello from aa01 via 10\.231\.0\.1:\d+$/)]);
    expect(a.result!.discoveryMs).toBeLessThan(10_000);
  }, 30_000);
});
