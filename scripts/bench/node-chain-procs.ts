/**
 * The parts of node-chain.bench.ts that deal with processes: a real
 * `meow-node` started as a child process (bin/meow-node.js, region `none`,
 * the UDP link on loopback, its local API on a free port), its status and
 * local API over HTTP from chosen loopback source addresses, and its CPU
 * time read from /proc (nanoseconds, summed over its threads).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

const bin = new URL('../../bin/meow-node.js', import.meta.url).pathname;

export interface ChainNode {
  readonly name: string;
  readonly dir: string;
  readonly udpPort: number;
  readonly child: ChildProcess;
  apiPort: number;
  token: string;
  stderr: string;
}

/** A free UDP port on loopback (bound and released: a small race, acceptable on a bench machine). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** `entry`: another checkout's bin/meow-node.js, to compare versions (default this one's). */
export function startChainNode(
  root: string, name: string, udpPort: number, peers: readonly number[], extraNodeArgs: readonly string[] = [], entry = bin,
): ChainNode {
  const dir = join(root, name);
  const configPath = join(root, `${name}.json`);
  // Region `none`: the UDP link is not paced by LoRa airtime or a duty cycle.
  writeFileSync(configPath, JSON.stringify({ region: 'none', log: { level: 'warn' } }));
  const args = [...extraNodeArgs, entry, '--config', configPath, '--data-dir', dir, '--port', String(udpPort), '--no-mdns', '--api-port', '0',
    ...peers.flatMap((p) => ['--peer', `127.0.0.1:${p}`])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const node: ChainNode = { name, dir, udpPort, child, apiPort: 0, token: '', stderr: '' };
  child.stderr!.on('data', (d: Buffer) => (node.stderr += d.toString()));
  return node;
}

/** Waits until the node wrote its API address and token (it is ready then). */
export async function waitReady(node: ChainNode, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  const urlFile = join(node.dir, 'api.url');
  while (!existsSync(urlFile)) {
    if (node.child.exitCode !== null) throw new Error(`${node.name} exited ${node.child.exitCode}: ${node.stderr}`);
    if (Date.now() - start > timeoutMs) throw new Error(`${node.name} not ready after ${timeoutMs} ms: ${node.stderr}`);
    await sleep(50);
  }
  node.apiPort = Number(new URL(readFileSync(urlFile, 'utf8').trim()).port);
  node.token = readFileSync(join(node.dir, 'api.token'), 'utf8').trim();
}

export async function stopChainNode(node: ChainNode): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => node.child.once('exit', () => resolve()));
  node.child.kill('SIGTERM');
  await exited;
}

/** Microseconds on the monotonic clock V8's CPU profiles stamp their samples with (uv_hrtime), shared by every process. */
export function profileClockUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** CPU time of a process in nanoseconds: the run time of each of its threads (/proc/PID/task/TID/schedstat). */
export function processCpuNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return total;
}

/**
 * The share of a process's CPU time spent in the kernel (system calls: the
 * datagrams' sendto and recvmsg, epoll wake-ups) against user space (the
 * JavaScript), from /proc/PID/stat utime and stime (clock ticks, 10 ms each).
 */
export function processUserSystemTicks(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at its closing parenthesis; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

const agents = new Map<string, Agent>();

/**
 * One HTTP request to a node's local API from a loopback source address
 * (127.0.0.1 by default). The API allows each client address 50 requests a
 * second (bursts of 200); an unpaced sender spreads its requests over
 * several loopback addresses, as several local clients would.
 */
export function callApi<T>(node: ChainNode, method: string, path: string, body?: unknown, source = '127.0.0.1'): Promise<{ status: number; json: T }> {
  let agent = agents.get(source);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: 8, localAddress: source });
    agents.set(source, agent);
  }
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: node.apiPort, method, path, agent,
      headers: {
        host: `127.0.0.1:${node.apiPort}`, authorization: `Bearer ${node.token}`, 'content-type': 'application/json',
        ...(data ? { 'content-length': String(data.length) } : {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: (text ? JSON.parse(text) : {}) as T });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

export function closeApiAgents(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

export interface ChainStatus {
  nodeId: string;
  router: { counters: Record<string, number>; routes: { destHint: number }[] };
}

export async function statusOf(node: ChainNode): Promise<ChainStatus> {
  return (await callApi<ChainStatus>(node, 'GET', '/status')).json;
}


const forwarderEntry = new URL('./bare-forwarder.ts', import.meta.url).pathname;

export function systemShare(before: { user: number; system: number }, after: { user: number; system: number }): number {
  const user = after.user - before.user;
  const system = after.system - before.system;
  return user + system > 0 ? system / (user + system) : 0;
}

export interface ForwarderCpu {
  /** CPU per datagram over the whole sending window. */
  rawUs: number;
  /** The same with the forwarder's idle CPU over as long a window subtracted: the slope. */
  marginalUs: number;
  /** Datagrams per second it was fed. */
  perSecond: number;
  /** Kernel share of its CPU over the sending window. */
  systemShare: number;
}

/**
 * CPU per datagram of bare-forwarder.ts sending `count` datagrams of
 * `bytes` bytes through it at `perSecond` (each forwarded to two sinks, as
 * B sends each frame to both its peers): the same /proc reading as B's.
 * Datagrams due are sent in batches once per event-loop turn, so rates above
 * the timer resolution (1 ms) are kept. The forwarder's idle CPU is read over
 * a window of the same length first, as B's is, for the marginal figure.
 */
export async function bareForwarderCpu(count: number, bytes: number, perSecond: number): Promise<ForwarderCpu> {
  const sinks = [createSocket('udp4'), createSocket('udp4')];
  let received = 0;
  for (const s of sinks) {
    s.on('message', () => received++);
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  }
  const port = await freeUdpPort();
  const child = spawn(process.execPath, ['--import', 'tsx', forwarderEntry, String(port), ...sinks.map((s) => String(s.address().port))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const sender = createSocket('udp4');
  try {
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    const payload = Buffer.alloc(bytes, 0x4d);
    // Warm the forwarder's JIT before measuring, and let its start-up settle
    // (the collection of start-up garbage, the loader thread going quiet):
    // otherwise it falls into the idle window and inflates the idle rate.
    for (let i = 0; i < 200; i++) sender.send(payload, port, '127.0.0.1');
    await sleep(3000);
    const idleMs = Math.min(15_000, Math.max(2000, (count * 1000) / perSecond + 500));
    const idle0 = processCpuNs(child.pid!);
    await sleep(idleMs);
    const idleNsPerMs = (processCpuNs(child.pid!) - idle0) / idleMs;
    received = 0;
    const ticks0 = processUserSystemTicks(child.pid!);
    const cpu0 = processCpuNs(child.pid!);
    const t0 = performance.now();
    let sent = 0;
    while (sent < count) {
      const due = Number.isFinite(perSecond) ? Math.min(count, Math.floor(((performance.now() - t0) * perSecond) / 1000) + 1) : count;
      // At most 64 datagrams ahead of the forwarder, as B's window keeps it: the socket buffers never overflow.
      while (sent < due && sent - received / 2 < 64) {
        sender.send(payload, port, '127.0.0.1');
        sent++;
      }
      await (sent < due ? new Promise((resolve) => setImmediate(resolve)) : sleep(1));
    }
    const until = performance.now() + 5000;
    while (received < 2 * count && performance.now() < until) await sleep(2);
    const cpuNs = processCpuNs(child.pid!) - cpu0;
    const ticks1 = processUserSystemTicks(child.pid!);
    const ms = performance.now() - t0;
    if (received < 2 * count) throw new Error(`the bare forwarder passed on ${received} of ${2 * count} datagrams`);
    return {
      rawUs: cpuNs / count / 1000, marginalUs: Math.max(0, cpuNs - idleNsPerMs * ms) / count / 1000, perSecond: (count * 1000) / ms,
      systemShare: systemShare(ticks0, ticks1),
    };
  } finally {
    sender.close();
    for (const s of sinks) s.close();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }
}
