/**
 * Frame boundaries on a byte stream (STYLE.md rule 15): written once per
 * framing and reused by every serial device. Implemented by SLIP
 * (node-runtime/links/framing/slip-deframer.ts, RFC 1055) and the E22 HAT's
 * length-prefixed packets (hardware/e22/packet-deframer.ts); a KISS deframer
 * (RNode radios) joins them here. One compliance suite
 * (test/seams/deframer.contract.ts) runs against each.
 *
 * Contract:
 *  - Incremental: push() takes the bytes as they come off the line, in
 *    chunks of any size, and returns the frames this chunk completes, in
 *    order. The frames do not depend on how the stream was split.
 *  - Whole frames only: a frame is handed out once, complete, as a fresh
 *    array the caller may keep; never a partial, merged or empty frame.
 *  - Bounded: no frame longer than `maxFrameBytes` is handed out, and a
 *    deframer never holds more than that many bytes of a partial frame.
 *  - Oversize: a frame that would exceed `maxFrameBytes` is dropped whole
 *    and counted in stats(); the deframer resynchronises at the next frame
 *    boundary its framing defines (SLIP: the next END byte; E22 packets:
 *    the next idle line, which the caller reports with reset()).
 *  - Garbage: hostile or noisy bytes are data, not exceptions. push() never
 *    throws; bytes that cannot belong to a frame, and frames the framing
 *    marks invalid (a bad SLIP escape), are dropped and counted.
 *  - reset() forgets any partial frame (the port was reopened, the line
 *    went idle); a deframer that counts partial frames may count it.
 */
export interface Deframer<Frame = Uint8Array, Stats extends object = object> {
  /** Largest frame handed out, in bytes, framing excluded. */
  readonly maxFrameBytes: number;
  /** Feeds received bytes; returns the frames they complete, oldest first. */
  push(chunk: Uint8Array): Frame[];
  /** Drops any partial frame and waits for the start of the next one. */
  reset(): void;
  /** Counters of frames handed out and of what was dropped, by cause (a copy). */
  stats(): Stats;
}
