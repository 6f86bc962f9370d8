/**
 * Sending onion packets to a relay door: the sender to its first hop, and
 * each relay to the next (wired into gateway/server/onion/onion-relay.ts by
 * the program, as the server does not import the client). A relay answers
 * 0x84 'accepted' or a clear refusal; anything else is a transport error.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import { describeError } from '../../protocol/codec/result.ts';
import { isOnionAccepted, onionReplyId } from '../../protocol/onion/packet.ts';
import { RelayError } from '../../protocol/server/errors.ts';
import { decodeResponseFrame } from '../../protocol/server/frame.ts';
import { RelayTransportError } from './errors.ts';
import { httpTransport } from './http-transport.ts';
import type { RelayTransport } from './transport.ts';

/** Resolves when the relay took the packet; RelayError for its refusal, RelayTransportError when unreachable. */
export async function sendOnionPacket(transport: RelayTransport, packet: Uint8Array): Promise<void> {
  const replyId = onionReplyId(packet);
  const answer = await transport.exchange(packet, replyId);
  if (isOnionAccepted(answer, replyId)) return;
  const frame = decodeResponseFrame(answer);
  if (!frame.ok) throw new RelayTransportError(`bad answer to an onion packet: ${describeError(frame)}`);
  if (frame.value.type === 'refusal') throw new RelayError(frame.value.code, frame.value.message);
  throw new RelayTransportError('unexpected answer to an onion packet');
}

export interface OnionForwarderOptions {
  /** The URLs of a relay by server id (from the catalog); empty when unknown. */
  readonly resolve: (serverId: Uint8Array) => readonly string[] | Promise<readonly string[]>;
  /** Opens a transport to a URL. Default: HTTP(S) with `timeoutMs`. */
  readonly open?: (url: string) => RelayTransport;
  readonly timeoutMs?: number;
}

export interface OnionForwarder {
  forward(nextServerId: Uint8Array, packet: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export function createOnionForwarder(o: OnionForwarderOptions): OnionForwarder {
  const transports = new Map<string, RelayTransport>();
  const open = o.open ?? ((url: string) => httpTransport(url, { timeoutMs: o.timeoutMs ?? 10_000 }));
  return {
    async forward(nextServerId, packet) {
      const urls = (await o.resolve(nextServerId)).filter((u) => u.startsWith('http'));
      if (urls.length === 0) throw new RelayTransportError('next relay unknown');
      const url = urls[0] as string;
      const id = `${toHex(nextServerId)} ${url}`;
      let t = transports.get(id);
      if (!t) {
        t = open(url);
        transports.set(id, t);
      }
      await sendOnionPacket(t, packet);
    },
    async close() {
      await Promise.all([...transports.values()].map((t) => t.close()));
      transports.clear();
    },
  };
}
