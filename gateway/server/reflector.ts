/**
 * The relay's address reflector, the relay's part in hole punching
 * (docs/PROTOCOL.md, "Presence and direct messaging"): a node behind a NAT
 * sends `observe` from its direct endpoint's socket, and the reflector
 * answers `observed` with the source address and port it saw, the NAT's
 * public mapping of that socket (the service of a STUN binding request,
 * RFC 8489 section 3, in the direct path's own datagrams,
 * node-runtime/direct/datagram.ts). The node then publishes that address in
 * its presence, sealed for its contact: the relay holding the presence
 * cannot read it, the reflector saw it (docs/THREAT-MODEL.md).
 *
 * No state is kept beyond the budgets: the answer goes to the address the
 * request came from, never to one it names. Requests are padded to the
 * largest answer, so a forged source gets back no more than was sent; each
 * source IP address has a token bucket.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Clock } from '../../seams/clock.ts';
import { decodeDirectDatagram, encodeObserved } from '../../node-runtime/direct/datagram.ts';
import type { TokenBucketSpec } from './config.ts';
import { TokenBuckets } from './token-bucket.ts';

export interface ReflectorOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly perSource: TokenBucketSpec;
  readonly maxSources: number;
}

export const DEFAULT_REFLECTOR_BUDGET = { perSource: { capacity: 10, refillPerSecond: 1 }, maxSources: 4096 } as const;

export interface AddressReflector {
  readonly port: number;
  stats(): { readonly answered: number; readonly dropped: number };
  close(): Promise<void>;
}

export async function startAddressReflector(clock: Clock, options: ReflectorOptions): Promise<AddressReflector> {
  const socket: Socket = createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4' });
  const budgets = new TokenBuckets(options.perSource, options.maxSources);
  const counts = { answered: 0, dropped: 0 };
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    const d = decodeDirectDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
    if (!d.ok || d.value.type !== 'observe' || !budgets.take(from.address, clock.now())) {
      counts.dropped++;
      return;
    }
    counts.answered++;
    socket.send(encodeObserved(d.value.token, from.address, from.port), from.port, from.address, () => undefined);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    port: socket.address().port,
    stats: () => ({ ...counts }),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
