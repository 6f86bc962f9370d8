/**
 * The UDP link alone on the forwarding path of node-chain.bench.ts, in one
 * process: link A sends frames to link B, which sends each frame it hears
 * on to its two peers (A and C), as the middle node's link does, one frame
 * at a time as the transmit scheduler hands them. CPU per relayed frame
 * (process.cpuUsage, all five datagram operations of a frame), against the
 * same traffic through bare node:dgram sockets in the same run.
 * `tsx scripts/bench/node-chain-link.ts [PATH_TO_udp-link.ts]` (another
 * checkout's link, to compare versions).
 */
import { createSocket, type Socket } from 'node:dgram';
import { pathToFileURL } from 'node:url';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import type { ReceivedFrame } from '../../seams/link.ts';

const FRAMES = 40_000;
const AHEAD = 64;
const FRAME = new Uint8Array(41).fill(7);

interface LinkLike {
  readonly port: number;
  send(frame: Uint8Array): Promise<void>;
  onFrame(handler: (frame: ReceivedFrame) => void): void;
  addPeer(peer: { host: string; port: number; source: 'static' }): boolean;
  close(): Promise<void>;
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!done() && performance.now() < end) await new Promise((r) => setTimeout(r, 1));
}

/** Feeds FRAMES frames from `send` with at most AHEAD unheard at the far end; CPU microseconds per frame heard. */
async function drive(send: () => void, heard: () => number): Promise<{ usPerFrame: number; perSecond: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let sent = 0;
  while (sent < FRAMES) {
    for (let k = 0; k < 32 && sent < FRAMES; k++, sent++) send();
    while (sent - heard() > AHEAD) await new Promise((r) => setImmediate(r));
  }
  await until(() => heard() >= FRAMES * 0.99, 20_000);
  const cpu = process.cpuUsage(cpu0);
  return { usPerFrame: (cpu.user + cpu.system) / heard(), perSecond: (heard() * 1000) / (performance.now() - t0) };
}

async function viaLinks(modulePath: string): Promise<{ usPerFrame: number; perSecond: number }> {
  const { bindUdpLink } = (await import(pathToFileURL(modulePath).href)) as { bindUdpLink: (o: object) => Promise<LinkLike> };
  const open = (label: string): Promise<LinkLike> => bindUdpLink({ random: new SeededRandom(label), bindAddress: '127.0.0.1', port: 0 });
  const [a, b, c] = [await open('a'), await open('b'), await open('c')];
  a.addPeer({ host: '127.0.0.1', port: b.port, source: 'static' });
  b.addPeer({ host: '127.0.0.1', port: a.port, source: 'static' });
  b.addPeer({ host: '127.0.0.1', port: c.port, source: 'static' });
  let heard = 0;
  c.onFrame(() => heard++);
  // One frame on air at a time, as the transmit scheduler sends.
  const queue: Uint8Array[] = [];
  let sending = false;
  const pump = async (): Promise<void> => {
    if (sending) return;
    sending = true;
    while (queue.length > 0) await b.send(queue.shift()!);
    sending = false;
  };
  b.onFrame((f) => {
    queue.push(f.bytes);
    void pump();
  });
  try {
    return await drive(() => void a.send(FRAME), () => heard);
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
}

async function viaSockets(): Promise<{ usPerFrame: number; perSecond: number }> {
  const bound = async (): Promise<Socket> => {
    const s = createSocket('udp4');
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
    return s;
  };
  const [a, b, c] = [await bound(), await bound(), await bound()];
  const port = (s: Socket): number => s.address().port;
  let heard = 0;
  c.on('message', () => heard++);
  a.on('message', () => undefined);
  b.on('message', (m) => {
    b.send(m, port(a), '127.0.0.1');
    b.send(m, port(c), '127.0.0.1');
  });
  const datagram = new Uint8Array(51).fill(7);
  try {
    return await drive(() => a.send(datagram, port(b), '127.0.0.1'), () => heard);
  } finally {
    for (const s of [a, b, c]) s.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const linkPath = process.argv[2] ?? new URL('../../node-runtime/links/udp/udp-link.ts', import.meta.url).pathname;
  const link = await viaLinks(linkPath);
  const bare = await viaSockets();
  console.log(`udp link, relayed frame: ${link.usPerFrame.toFixed(1)} us CPU (${Math.round(link.perSecond)}/s); bare node:dgram: ${bare.usPerFrame.toFixed(1)} us (${Math.round(bare.perSecond)}/s); ratio ${(link.usPerFrame / bare.usPerFrame).toFixed(2)}`);
}
