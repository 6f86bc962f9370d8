/**
 * Sends one sealed envelope straight to a contact's node (its presence
 * address, address.ts) and waits for that node's answer (datagram.ts).
 *
 * Resolves 'stored' or 'duplicate' (the node has it: a duplicate means an
 * earlier copy got there). Rejects with DirectPathError:
 *  - 'refused': the node answered that it will not take it (no agent there
 *    watches that mailbox, malformed, over budget), or the host said no one
 *    listens on that port (ICMP port unreachable, seen on a connected socket);
 *  - 'unreachable': no answer after every attempt.
 * Either way the caller falls back to the relays, so the wait is short:
 * `attempts` sends, `attemptTimeoutMs` apart.
 *
 * The answer must come from the address the envelope was sent to (the
 * socket is connected, so the kernel drops datagrams from anywhere else)
 * and name the envelope's id.
 */
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { constantTimeEqual } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { envelopeId } from '../../protocol/envelope/envelope-id.ts';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import { parseDirectAddress } from './address.ts';
import { decodeDirectDatagram, encodeDirectEnvelope } from './datagram.ts';
import { DirectPathError } from './errors.ts';

export interface DirectSendOptions {
  readonly attemptTimeoutMs: number;
  readonly attempts: number;
}

export const DEFAULT_DIRECT_SEND: DirectSendOptions = { attemptTimeoutMs: 700, attempts: 2 };

export async function sendDirectEnvelope(
  deps: { suite: CryptoSuite; clock: Clock }, address: string, envelope: Uint8Array, options: DirectSendOptions = DEFAULT_DIRECT_SEND,
): Promise<'stored' | 'duplicate'> {
  const target = parseDirectAddress(address);
  // A name would need a DNS lookup that leaks whom we talk to: presence carries literal addresses only.
  if (isIP(target.host) === 0) throw new DirectPathError('bad-address', 'a direct address names an IP address, not a host name');
  const id = envelopeId(deps.suite, envelope);
  const datagram = encodeDirectEnvelope(envelope);
  const socket = createSocket({ type: isIP(target.host) === 6 ? 'udp6' : 'udp4' });
  let timer: TimerHandle | undefined;
  try {
    return await new Promise<'stored' | 'duplicate'>((resolve, reject) => {
      let sent = 0;
      const attempt = (): void => {
        if (sent >= options.attempts) {
          reject(new DirectPathError('unreachable', `no answer from the contact's node after ${sent} attempts`));
          return;
        }
        sent++;
        socket.send(datagram, (e) => {
          if (e) reject(new DirectPathError('unreachable', `cannot send to the contact's node: ${e.message}`, { cause: e }));
        });
        timer = deps.clock.setTimer(options.attemptTimeoutMs, attempt);
      };
      socket.on('error', (e: NodeJS.ErrnoException) => {
        reject(e.code === 'ECONNREFUSED'
          ? new DirectPathError('refused', 'nothing listens at the contact\'s direct address')
          : new DirectPathError('unreachable', `direct path: ${e.message}`, { cause: e }));
      });
      socket.on('message', (msg: Buffer) => {
        const d = decodeDirectDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
        if (!d.ok || d.value.type !== 'answer' || !constantTimeEqual(d.value.envelopeId, id)) return;
        const status = d.value.status;
        if (status === 'stored' || status === 'duplicate') resolve(status);
        else reject(new DirectPathError('refused', `the contact's node refused it: ${status}`));
      });
      socket.connect(target.port, target.host, () => attempt());
    });
  } finally {
    timer?.cancel();
    socket.close();
  }
}
