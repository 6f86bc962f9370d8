/**
 * What travels inside one SLIP frame on a serial line: the mesh frame and a
 * CRC-32 over it (docs/PROTOCOL.md section links).
 *
 *   0                      n        n+4
 *   +----------------------+--------+
 *   | mesh frame (n bytes) | CRC-32 |   CRC-32/ISO-HDLC (zlib, IEEE 802.3),
 *   +----------------------+--------+   big-endian, over the mesh frame
 *
 * Why a CRC although mesh frames carry a MAC: serial lines flip bits (noise,
 * baud mismatch, a UART overrun), and the MAC does not cover the fields a
 * relay changes (hop count), so a corrupted hop count would go unnoticed;
 * a corrupted frame would also be counted as forged by the router, hiding
 * a bad cable behind a security counter. Four bytes per frame on a wire is
 * cheap; CRC-32 detects every burst up to 32 bits and leaves 2^-32 of
 * random corruption undetected. The CRC itself is zlib's (node:zlib crc32),
 * not hand-written.
 */
import { crc32 } from 'node:zlib';
import { ByteReader } from '../../../protocol/codec/reader.ts';
import { type DecodeResult, fail, ok } from '../../../protocol/codec/result.ts';

export const serialCrcBytes = 4;

export function crc32Of(bytes: Uint8Array): number {
  return crc32(bytes) >>> 0;
}

/** Mesh frame followed by its CRC-32. */
export function encodeSerialFrame(meshFrame: Uint8Array): Uint8Array {
  const out = new Uint8Array(meshFrame.length + serialCrcBytes);
  out.set(meshFrame);
  new DataView(out.buffer).setUint32(meshFrame.length, crc32Of(meshFrame));
  return out;
}

/**
 * Checks the CRC and returns the mesh frame (a view into `bytes`), or
 * 'truncated' for a frame shorter than the CRC plus one byte, 'too-long' over
 * `maxMeshFrameBytes`, 'bad-checksum' on a mismatch.
 */
export function decodeSerialFrame(bytes: Uint8Array, maxMeshFrameBytes: number): DecodeResult<Uint8Array> {
  if (bytes.length < serialCrcBytes + 1) {
    return fail('truncated', bytes.length, `serial frame: ${bytes.length} bytes, need at least ${serialCrcBytes + 1}`);
  }
  const meshLength = bytes.length - serialCrcBytes;
  if (meshLength > maxMeshFrameBytes) {
    return fail('too-long', 0, `serial frame: mesh frame of ${meshLength} bytes exceeds ${maxMeshFrameBytes}`);
  }
  const reader = new ByteReader(bytes);
  const meshFrame = reader.bytes(meshLength, 'mesh frame');
  const sent = reader.u32('crc32');
  reader.end('serial frame');
  if (reader.error) return reader.error;
  if (crc32Of(meshFrame) !== sent) {
    return fail('bad-checksum', meshLength, 'serial frame: CRC-32 mismatch');
  }
  return ok(meshFrame);
}
