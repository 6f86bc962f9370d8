/**
 * LoRa HAT hot paths on the host: the UART deframer (every received byte
 * goes through it) and the E22 reply decoder. Neither limits a node (the
 * UART tops out at 115200 baud, about 11.5 kB/s); the figures show the
 * margin on a Pi-class core.
 */
import { concatBytes } from '../../protocol/codec/bytes.ts';
import { decodeReply } from '../../hardware/e22/commands.ts';
import { encodePacket, PacketDeframer } from '../../hardware/e22/packet-deframer.ts';
import { opsPerSecond, type Benchmark } from './harness.ts';

const bench: Benchmark = (ctx) => {
  const durationMs = ctx.quick ? 200 : 1000;
  const frames = Array.from({ length: 16 }, (_, i) => new Uint8Array(40 + i * 12).fill(i));
  const stream = concatBytes(...frames.map((f) => concatBytes(encodePacket(f, 239), Uint8Array.of(0xc4))));
  const deframer = new PacketDeframer({ maxFrameBytes: 239, rssiByte: true });
  // Fed in 64-byte chunks, as a UART read returns them.
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += 64) chunks.push(stream.subarray(at, at + 64));
  const streamsPerSecond = opsPerSecond(() => {
    for (const c of chunks) deframer.push(c);
  }, durationMs);
  ctx.report({ name: 'e22.deframer', value: (streamsPerSecond * stream.length) / 1e6, unit: 'MB/s' });

  const reply = Uint8Array.of(0xc1, 0x00, 0x07, 0x00, 0x00, 0x00, 0x62, 0x00, 0x12, 0x03);
  ctx.report({ name: 'e22.reply-decode', value: opsPerSecond(() => void decodeReply(reply), durationMs), unit: 'ops/s' });
};

export default bench;
