/**
 * Connection caps for the relay's stream doors (issue 9 item 5): a total,
 * a number per source (sourceKeyOf: an IPv4 address or an IPv6 /64), and
 * an idle timeout. Without them one client holding thousands of idle
 * sockets uses up the process's file descriptors and memory, and honest
 * clients can no longer connect. A socket over a cap is closed at once,
 * before TLS or HTTP spends anything on it.
 */
import type { Server, Socket } from 'node:net';
import { sourceKeyOf } from './source-key.ts';

export interface ConnectionCaps {
  /** Open sockets over all sources. Default 1,024. */
  readonly maxConnections?: number;
  /** Open sockets from one source (IPv4 address, IPv6 /64). Default 64, what one relay client opens at most (gateway/client http-transport maxSockets). */
  readonly maxConnectionsPerSource?: number;
  /** A socket with no traffic for this long is closed. Default 30 s. */
  readonly idleTimeoutMs?: number;
}

export const DEFAULT_CONNECTION_CAPS: Required<ConnectionCaps> = {
  maxConnections: 1024, maxConnectionsPerSource: 64, idleTimeoutMs: 30_000,
};

export interface ConnectionCounts {
  open: number;
  refused: number;
}

/** Applies the caps to a listening server's 'connection' events; returns live counts. */
export function capConnections(server: Server, caps: ConnectionCaps = {}): ConnectionCounts {
  const c = { ...DEFAULT_CONNECTION_CAPS, ...caps };
  const perSource = new Map<string, number>();
  const counts: ConnectionCounts = { open: 0, refused: 0 };
  server.on('connection', (socket: Socket) => {
    const key = sourceKeyOf(socket.remoteAddress ?? 'unknown');
    const mine = perSource.get(key) ?? 0;
    if (counts.open >= c.maxConnections || mine >= c.maxConnectionsPerSource) {
      counts.refused++;
      socket.destroy();
      return;
    }
    counts.open++;
    perSource.set(key, mine + 1);
    socket.setTimeout(c.idleTimeoutMs, () => socket.destroy());
    socket.once('close', () => {
      counts.open--;
      const left = (perSource.get(key) ?? 1) - 1;
      if (left <= 0) perSource.delete(key);
      else perSource.set(key, left);
    });
  });
  return counts;
}

/**
 * Requests being answered, in total and per source, for doors without
 * connections (UDP datagrams, MQTT messages): past a cap a request is
 * dropped unanswered, so one sender cannot queue unbounded work.
 */
export class InFlight {
  private readonly perSource = new Map<string, number>();
  private total = 0;
  dropped = 0;

  constructor(private readonly maxTotal: number, private readonly maxPerSource: number) {}

  /** Returns a release function, or undefined when a cap is reached. */
  enter(source: string): (() => void) | undefined {
    const mine = this.perSource.get(source) ?? 0;
    if (this.total >= this.maxTotal || mine >= this.maxPerSource) {
      this.dropped++;
      return undefined;
    }
    this.total++;
    this.perSource.set(source, mine + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.total--;
      const left = (this.perSource.get(source) ?? 1) - 1;
      if (left <= 0) this.perSource.delete(source);
      else this.perSource.set(source, left);
    };
  }
}
