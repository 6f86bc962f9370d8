/**
 * Two Linux network namespaces joined by a veth pair (10.231.x.1 and
 * 10.231.x.2), for tests that need two hosts on one LAN: real UDP, real
 * mDNS, separate port 5353s. Needs root and iproute2; setUp() returns why
 * not instead of throwing, so a test can skip with the reason printed.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface NetnsNodeResult {
  nodeId: string;
  outcome: string;
  discoveryMs: number;
  /** The node's own UDP port. */
  port: number;
  peers: Array<{ host: string; port: number; nodeId?: string; source: string }>;
  heard: string[];
  mdnsErrors: string[];
}

const nodeScript = fileURLToPath(new URL('./netns-node.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

export function ip(...args: string[]): { ok: boolean; error: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 5000 });
  return { ok: r.status === 0, error: r.error ? r.error.message : r.stderr.trim() };
}

export class NetnsPair {
  readonly nsA: string;
  readonly nsB: string;
  readonly addressA: string;
  readonly addressB: string;
  private readonly vethA: string;
  private readonly vethB: string;
  private readonly children: ChildProcess[] = [];

  /** `label` (a letter or two) keeps concurrent test files apart; `subnet` is the third octet. */
  constructor(label: string, subnet: number) {
    const tag = `${label}${process.pid % 100_000}`;
    this.nsA = `meow-${tag}-a`;
    this.nsB = `meow-${tag}-b`;
    this.vethA = `mw${tag}a`.slice(0, 15);
    this.vethB = `mw${tag}b`.slice(0, 15);
    this.addressA = `10.231.${subnet}.1`;
    this.addressB = `10.231.${subnet}.2`;
  }

  setUp(): string | undefined {
    this.remove();
    const steps: string[][] = [
      ['netns', 'add', this.nsA],
      ['netns', 'add', this.nsB],
      ['link', 'add', this.vethA, 'type', 'veth', 'peer', 'name', this.vethB],
      ['link', 'set', this.vethA, 'netns', this.nsA],
      ['link', 'set', this.vethB, 'netns', this.nsB],
      ['-n', this.nsA, 'addr', 'add', `${this.addressA}/24`, 'dev', this.vethA],
      ['-n', this.nsB, 'addr', 'add', `${this.addressB}/24`, 'dev', this.vethB],
      ['-n', this.nsA, 'link', 'set', 'lo', 'up'],
      ['-n', this.nsB, 'link', 'set', 'lo', 'up'],
      ['-n', this.nsA, 'link', 'set', this.vethA, 'up'],
      ['-n', this.nsB, 'link', 'set', this.vethB, 'up'],
      // No default route in a bare namespace: give multicast (mDNS, 224.0.0.251) a way out.
      // On a Pi the default route already covers it.
      ['-n', this.nsA, 'route', 'add', '224.0.0.0/4', 'dev', this.vethA],
      ['-n', this.nsB, 'route', 'add', '224.0.0.0/4', 'dev', this.vethB],
    ];
    for (const step of steps) {
      const r = ip(...step);
      if (!r.ok) {
        this.remove();
        return `ip ${step.join(' ')} failed: ${r.error || 'no output'}`;
      }
    }
    return undefined;
  }

  /** Deletes both namespaces (and with them the veth pair) and kills what runs in them. Idempotent. */
  remove(): void {
    for (const child of this.children.splice(0)) if (child.exitCode === null) child.kill('SIGTERM'); // lets avahi-daemon remove its pid file
    ip('netns', 'del', this.nsA);
    ip('netns', 'del', this.nsB);
  }

  /** Starts a long-running program inside a namespace; remove() kills it. */
  spawnIn(ns: string, command: string, args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    return child;
  }

  /** Runs test/links/support/netns-node.ts in a namespace and parses its JSON line. */
  runNode(ns: string, nodeId: string, peerNodeId: string): Promise<{ code: number; result?: NetnsNodeResult; stderr: string }> {
    return new Promise((resolve) => {
      execFile('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', nodeScript, nodeId, peerNodeId, '15000'],
        { cwd: projectRoot, timeout: 20_000, encoding: 'utf8' },
        (err, stdout, stderr) => {
          const line = stdout.trim().split('\n').pop() ?? '';
          let result: NetnsNodeResult | undefined;
          try { result = JSON.parse(line) as NetnsNodeResult; } catch { result = undefined; }
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, result, stderr });
        });
    });
  }
}
