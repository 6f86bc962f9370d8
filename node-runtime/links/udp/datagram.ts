/**
 * One mesh frame per UDP datagram, behind a 10-byte header
 * (docs/PROTOCOL.md section links).
 *
 *   0      1      2                       10
 *   +------+------+-----------------------+--------------------------+
 *   | 0x4D | 0x01 | sender link id (8 B)  | mesh frame (1..mtu bytes) |
 *   +------+------+-----------------------+--------------------------+
 *    magic  version
 *
 * magic 0x4D ('M') and version 0x01 let a node drop stray traffic on its
 * port (another program, a port scan) before the router sees it. The sender
 * link id is 8 random bytes drawn when a link starts: a node drops datagrams
 * carrying its own id, which covers a broadcast address or itself in its
 * peer list and its own mDNS record. It names a socket, not a user or a
 * node key, and changes at every start.
 */
import { ByteReader } from '../../../protocol/codec/reader.ts';
import { type DecodeResult, fail, ok } from '../../../protocol/codec/result.ts';

export const udpMagic = 0x4d;
export const udpVersion = 0x01;
export const udpSenderIdBytes = 8;
export const udpHeaderBytes = 2 + udpSenderIdBytes;

export interface UdpDatagram {
  /** The sender link's random id. */
  readonly senderId: Uint8Array;
  /** The mesh frame (a view into the datagram). */
  readonly frame: Uint8Array;
}

export function encodeUdpDatagram(senderId: Uint8Array, frame: Uint8Array): Uint8Array {
  if (senderId.length !== udpSenderIdBytes) throw new RangeError(`sender id must be ${udpSenderIdBytes} bytes`);
  const out = new Uint8Array(udpHeaderBytes + frame.length);
  out[0] = udpMagic;
  out[1] = udpVersion;
  out.set(senderId, 2);
  out.set(frame, udpHeaderBytes);
  return out;
}

export function decodeUdpDatagram(bytes: Uint8Array, maxFrameBytes: number): DecodeResult<UdpDatagram> {
  // Refuse an oversize datagram before reading any of it.
  if (bytes.length > udpHeaderBytes + maxFrameBytes) {
    return fail('too-long', 0, `datagram of ${bytes.length} bytes exceeds ${udpHeaderBytes + maxFrameBytes}`);
  }
  const reader = new ByteReader(bytes);
  const magic = reader.u8('magic');
  if (reader.error) return reader.error;
  if (magic !== udpMagic) return fail('bad-kind', 0, `not a Meow datagram (magic 0x${magic.toString(16)})`);
  const version = reader.u8('version');
  if (reader.error) return reader.error;
  if (version !== udpVersion) return fail('bad-version', 1, `datagram version ${version}, expected ${udpVersion}`);
  const senderId = reader.bytes(udpSenderIdBytes, 'sender link id');
  if (reader.error) return reader.error;
  if (reader.remaining === 0) return fail('truncated', udpHeaderBytes, 'datagram carries no mesh frame');
  const frame = reader.bytes(reader.remaining, 'mesh frame');
  return ok({ senderId, frame });
}
