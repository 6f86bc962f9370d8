/**
 * Link framing figures (docs/ARCHITECTURE.md section links):
 *  - links.slip.deframe.255B / .4096B: MB/s of SLIP stream through our
 *    incremental deframer, with the decoder of @serialport/parser-slip-encoder
 *    on the same stream as the baseline (it appends byte by byte with
 *    Buffer.concat, so it slows with the frame size);
 *  - links.serial.frame: encode (CRC-32 + SLIP) and decode (deframe + CRC
 *    check) of a 240-byte mesh frame, per second;
 *  - links.udp.decode: datagram header checks per second.
 */
import { SlipDecoder } from '@serialport/parser-slip-encoder';
import { SlipDeframer } from '../../node-runtime/links/framing/slip-deframer.ts';
import { SlipFrameEncoder } from '../../node-runtime/links/framing/slip-encoder.ts';
import { decodeSerialFrame, encodeSerialFrame } from '../../node-runtime/links/serial/serial-frame.ts';
import { decodeUdpDatagram, encodeUdpDatagram } from '../../node-runtime/links/udp/datagram.ts';
import { type Benchmark, opsPerSecond, withBaseline } from './harness.ts';

function slipStream(frameBytes: number, frames: number): Uint8Array {
  const encoder = new SlipFrameEncoder();
  const parts: Uint8Array[] = [];
  let x = 12345;
  for (let f = 0; f < frames; f++) {
    const frame = new Uint8Array(frameBytes);
    for (let i = 0; i < frameBytes; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      frame[i] = x >>> 24;
    }
    parts.push(encoder.encode(frame));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const bench: Benchmark = (ctx) => {
  const durationMs = ctx.quick ? 200 : 1000;
  for (const frameBytes of [255, 4096]) {
    const stream = slipStream(frameBytes, Math.max(4, Math.floor(64 * 1024 / frameBytes)));
    const chunk = 64; // serial reads arrive in small chunks
    const ours = opsPerSecond(() => {
      const d = new SlipDeframer({ maxFrameBytes: 8192 });
      for (let at = 0; at < stream.length; at += chunk) d.push(stream.subarray(at, at + chunk));
    }, durationMs);
    const buffer = Buffer.from(stream);
    const theirs = opsPerSecond(() => {
      const d = new SlipDecoder();
      d.on('data', () => undefined);
      for (let at = 0; at < buffer.length; at += chunk) d.write(buffer.subarray(at, at + chunk));
    }, durationMs);
    const mb = stream.length / 1e6;
    ctx.report(withBaseline(`links.slip.deframe.${frameBytes}B`, ours * mb, 'MB/s', theirs * mb, '@serialport/parser-slip-encoder SlipDecoder'));
  }

  const frame = new Uint8Array(240).map((_, i) => (i * 37) & 0xff);
  const encoder = new SlipFrameEncoder();
  const deframer = new SlipDeframer({ maxFrameBytes: 244 });
  ctx.report({
    name: 'links.serial.frame',
    value: opsPerSecond(() => {
      const wire = encoder.encode(encodeSerialFrame(frame));
      for (const f of deframer.push(wire)) decodeSerialFrame(f, 240);
    }, durationMs),
    unit: 'frames/s',
  });

  const datagram = encodeUdpDatagram(new Uint8Array(8).fill(7), frame);
  ctx.report({ name: 'links.udp.decode', value: opsPerSecond(() => decodeUdpDatagram(datagram, 1200), durationMs), unit: 'datagrams/s' });
};

export default bench;
