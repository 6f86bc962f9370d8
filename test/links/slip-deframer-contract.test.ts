/** The Deframer contract (test/seams/deframer.contract.ts) run against the SLIP deframer, frames from our SLIP encoder. */
import { SlipDeframer } from '../../node-runtime/links/framing/slip-deframer.ts';
import { SlipFrameEncoder } from '../../node-runtime/links/framing/slip-encoder.ts';
import { describeDeframerContract } from '../seams/deframer.contract.ts';

const encoder = new SlipFrameEncoder();

describeDeframerContract<Uint8Array>('SLIP (RFC 1055)', {
  make: (maxFrameBytes) => new SlipDeframer({ maxFrameBytes }),
  // A copy: the encoder's output is a view on its own stream buffer.
  encode: (frame) => encoder.encode(frame).slice(),
  bytesOf: (frame) => frame,
  largestFrameBytes: 1 << 20,
  resync: () => undefined,
});
