/**
 * A counting UDP relay between two nodes on loopback, for whole-node
 * benchmarks (node-chain.bench.ts): the bytes on the wire are counted at
 * the sockets, as datagrams pass, never computed from frame sizes.
 *
 *   node L  --->  tap.leftPort  ==forwards==>  tap.rightPort  --->  node R
 *   node L  <---  tap.leftPort  <==forwards==  tap.rightPort  <---  node R
 *
 * Node L lists 127.0.0.1:leftPort as its peer, node R lists
 * 127.0.0.1:rightPort: each node sees its neighbour's datagrams come from
 * the address it was configured with. Each datagram is classified by the
 * mesh frame kind it carries (the top 3 bits of the frame's first byte,
 * after the UDP link's 10-byte header, docs/PROTOCOL.md), so acks, data
 * and announces are told apart.
 */
import { createSocket, type Socket } from 'node:dgram';

const UDP_LINK_HEADER_BYTES = 10;
const UDP_LINK_MAGIC = 0x4d;

/** Mesh frame kinds (docs/PROTOCOL.md "Frame header"); `other` for a datagram that is not a Meow frame. */
export const FRAME_KIND_NAMES = ['data', 'fragment', 'ack', 'fragment-request', 'announce', 'route-request', 'kind6', 'kind7'] as const;
export type FrameKindName = typeof FRAME_KIND_NAMES[number] | 'other';

export interface Tally {
  datagrams: number;
  bytes: number;
}

export interface DirectionCount extends Tally {
  readonly byKind: Map<FrameKindName, Tally>;
}

export interface TapCounts {
  /** From node L towards node R. */
  readonly rightward: DirectionCount;
  /** From node R towards node L. */
  readonly leftward: DirectionCount;
}

export interface UdpTap {
  readonly leftPort: number;
  readonly rightPort: number;
  /** A copy of the counts so far. */
  counts(): TapCounts;
  /** Zeroes the counts (the start of a measured window). */
  reset(): void;
  close(): Promise<void>;
}

export function kindOf(datagram: Uint8Array): FrameKindName {
  if (datagram.length <= UDP_LINK_HEADER_BYTES || datagram[0] !== UDP_LINK_MAGIC) return 'other';
  return FRAME_KIND_NAMES[datagram[UDP_LINK_HEADER_BYTES]! >> 5]!;
}

function emptyDirection(): DirectionCount {
  return { datagrams: 0, bytes: 0, byKind: new Map() };
}

function tally(d: DirectionCount, datagram: Uint8Array): void {
  d.datagrams++;
  d.bytes += datagram.length;
  const kind = kindOf(datagram);
  const k = d.byKind.get(kind) ?? { datagrams: 0, bytes: 0 };
  k.datagrams++;
  k.bytes += datagram.length;
  d.byKind.set(kind, k);
}

function copy(d: DirectionCount): DirectionCount {
  return { datagrams: d.datagrams, bytes: d.bytes, byKind: new Map([...d.byKind].map(([k, v]) => [k, { ...v }])) };
}

async function bind(port: number): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

/** Opens the tap: datagrams to leftPort go on to 127.0.0.1:rightTarget, datagrams to rightPort to 127.0.0.1:leftTarget. */
export async function openUdpTap(options: { leftTarget: number; rightTarget: number; leftPort?: number; rightPort?: number }): Promise<UdpTap> {
  const left = await bind(options.leftPort ?? 0);
  const right = await bind(options.rightPort ?? 0);
  let rightward = emptyDirection();
  let leftward = emptyDirection();
  // Counted when received, before forwarding: what the sender put on the wire.
  left.on('message', (msg) => {
    tally(rightward, msg);
    right.send(msg, options.rightTarget, '127.0.0.1');
  });
  right.on('message', (msg) => {
    tally(leftward, msg);
    left.send(msg, options.leftTarget, '127.0.0.1');
  });
  left.on('error', () => undefined);
  right.on('error', () => undefined);
  return {
    leftPort: left.address().port,
    rightPort: right.address().port,
    counts: () => ({ rightward: copy(rightward), leftward: copy(leftward) }),
    reset() {
      rightward = emptyDirection();
      leftward = emptyDirection();
    },
    async close() {
      await Promise.all([left, right].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/** Bytes and datagrams of one kind in both directions. */
export function bothWays(counts: TapCounts, kind?: FrameKindName): Tally {
  const pick = (d: DirectionCount): Tally => (kind === undefined ? d : d.byKind.get(kind) ?? { datagrams: 0, bytes: 0 });
  const r = pick(counts.rightward);
  const l = pick(counts.leftward);
  return { datagrams: r.datagrams + l.datagrams, bytes: r.bytes + l.bytes };
}
