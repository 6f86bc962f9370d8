/** UDP transport: one datagram each way, answers matched by reply id, retried on timeout. */
import { createSocket } from 'node:dgram';
import { toHex } from '../../protocol/codec/bytes.ts';
import { REPLY_ID_BYTES } from '../../protocol/server/constants.ts';
import { UDP_MAX_DATAGRAM_BYTES, UDP_PAD_REQUESTS_TO_BYTES } from '../../protocol/server/doors.ts';
import { RelayTransportError } from './errors.ts';
import { DEFAULT_TIMEOUT_MS, type RelayTransport, type TransportOptions } from './transport.ts';

export function udpTransport(url: string, options: TransportOptions & { retries?: number } = {}): RelayTransport {
  const parsed = new URL(url);
  if (parsed.protocol !== 'udp:') throw new RelayTransportError(`not a udp URL: ${parsed.protocol}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = Number(parsed.port);
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const pending = new Map<string, (frame: Uint8Array) => void>();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const attempts = 1 + (options.retries ?? 2);
  let closed = false;
  socket.on('message', (msg) => {
    if (msg.length < 1 + REPLY_ID_BYTES) return;
    const id = toHex(msg.subarray(1, 1 + REPLY_ID_BYTES));
    const done = pending.get(id);
    if (done) done(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength).slice());
  });
  socket.on('error', () => undefined);
  socket.unref();

  return {
    url: `udp://${parsed.host}`,
    maxRequestBytes: UDP_MAX_DATAGRAM_BYTES,
    padRequestsTo: UDP_PAD_REQUESTS_TO_BYTES,
    exchange(frame, replyId) {
      if (closed) return Promise.reject(new RelayTransportError('transport closed'));
      const id = toHex(replyId);
      return new Promise((resolve, reject) => {
        let tries = 0;
        let timer: NodeJS.Timeout | undefined;
        const finish = (f: Uint8Array | undefined, err?: Error): void => {
          clearTimeout(timer);
          pending.delete(id);
          if (f) resolve(f);
          else reject(err);
        };
        const attempt = (): void => {
          if (closed) return finish(undefined, new RelayTransportError('transport closed'));
          if (tries++ >= attempts) return finish(undefined, new RelayTransportError(`no answer after ${attempts} datagrams`));
          socket.send(frame, port, host);
          timer = setTimeout(attempt, timeoutMs / attempts);
        };
        pending.set(id, (f) => finish(f));
        attempt();
      });
    },
    close() {
      closed = true;
      for (const done of pending.values()) done(new Uint8Array(0));
      return new Promise((done) => socket.close(() => done()));
    },
  };
}
