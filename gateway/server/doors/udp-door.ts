/**
 * UDP front door (docs/PROTOCOL.md section "server", "UDP", filling the
 * whitepaper's TODO 5.3): one request frame per datagram, one response
 * frame per datagram back to the sender's address and port.
 *
 * No fragmentation: a request over `maxDatagramBytes` (default 1232, the
 * largest UDP payload that crosses any IPv6 path without fragmenting,
 * RFC 8200 section 5 minimum MTU 1280 - 48 bytes of headers) is refused with
 * a 'too-large' refusal frame, and the relay fits every answer into one
 * datagram (a fetch returns fewer messages and sets `more`). Larger
 * envelopes go through HTTP or MQTT. UDP gives no delivery guarantee: the
 * client retries; deposits are idempotent (dedup) and a retried fetch uses
 * a new counter.
 */
import { createSocket, type Socket } from 'node:dgram';
import { UDP_AMPLIFICATION_FACTOR, UDP_MAX_DATAGRAM_BYTES, UDP_PAD_REQUESTS_TO_BYTES } from '../../../protocol/server/doors.ts';
import { encodeRefusalFrame, replyIdOf } from '../../../protocol/server/frame.ts';
import type { DoorCore, RunningDoor } from '../../../seams/door.ts';
import { InFlight } from './connection-cap.ts';
import { sourceKeyOf } from './source-key.ts';

export interface UdpDoorOptions {
  readonly host?: string;
  readonly port?: number;
  readonly maxDatagramBytes?: number;
  /** Requests answered at once, in total and per source (IPv4 address, IPv6 /64); extra datagrams are dropped. */
  readonly maxInFlight?: number;
  readonly maxInFlightPerSource?: number;
}

export function startUdpDoor(core: DoorCore, options: UdpDoorOptions = {}): Promise<RunningDoor> {
  const host = options.host ?? '127.0.0.1';
  const max = options.maxDatagramBytes ?? UDP_MAX_DATAGRAM_BYTES;
  const socket: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  let closed = false;
  const inFlight = new InFlight(options.maxInFlight ?? 1024, options.maxInFlightPerSource ?? 32);
  socket.on('message', (msg, rinfo) => {
    const budget = Math.min(max, UDP_AMPLIFICATION_FACTOR * msg.length);
    const reply = (frame: Uint8Array): void => {
      if (closed) return;
      if (frame.length <= budget) {
        socket.send(frame, rinfo.port, rinfo.address);
        return;
      }
      // Too big for this datagram's budget: say so if even that fits, else stay silent.
      const refusal = encodeRefusalFrame(replyIdOf(msg), 'too-large', `answer over ${budget} bytes: pad requests to ${UDP_PAD_REQUESTS_TO_BYTES}`);
      if (refusal.length <= budget) socket.send(refusal, rinfo.port, rinfo.address);
    };
    const frame = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    if (msg.length > max) {
      reply(encodeRefusalFrame(replyIdOf(frame), 'too-large', `datagram over ${max} bytes: use HTTP or MQTT`));
      return;
    }
    const source = sourceKeyOf(rinfo.address);
    const release = inFlight.enter(source);
    if (!release) return; // over the in-flight cap: dropped, as a lost datagram would be (the client retries)
    core.handle(frame, { source, maxResponseBytes: budget }).then(reply, () => undefined).finally(release);
  });
  // A bad peer (ICMP port unreachable) must not take the door down.
  socket.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, host, () => {
      socket.off('error', reject);
      const port = socket.address().port;
      const hostPart = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `udp://${hostPart}:${port}`,
        port,
        close: () => new Promise<void>((done) => {
          closed = true;
          socket.close(() => done());
        }),
      });
    });
  });
}
