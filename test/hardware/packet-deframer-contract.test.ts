/**
 * The Deframer contract (test/seams/deframer.contract.ts) run against the
 * E22 HAT's packet deframer, with the module's RSSI byte on (as the mesh
 * runs it); its resynchronising boundary is the idle line.
 */
import { encodePacket, PacketDeframer, type DeframedPacket } from '../../hardware/e22/packet-deframer.ts';
import { describeDeframerContract } from '../seams/deframer.contract.ts';

const rssiByte = 0xc4; // -60 dBm

describeDeframerContract<DeframedPacket>('E22 length-prefixed packets', {
  make: (maxFrameBytes) => new PacketDeframer({ maxFrameBytes, rssiByte: true }),
  encode: (frame) => Uint8Array.of(...encodePacket(frame, 255), rssiByte),
  bytesOf: (packet) => packet.bytes,
  largestFrameBytes: 255,
  resync: (deframer) => deframer.reset(),
});
