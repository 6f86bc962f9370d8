/**
 * What every per-kind handler of the receive pipeline (receive.ts) gets: a
 * verified frame seen for the first time (or a routed frame whose turn at
 * this node has come), its duplicate-cache entry and how it was heard.
 */
import type { MeshFrame } from '../../../protocol/mesh/frame-types.ts';
import type { ReceivedFrame } from '../../../seams/link.ts';
import type { SeenFrame } from '../seen-frames.ts';

export type FrameHandler = (frame: MeshFrame, seen: SeenFrame, rx: ReceivedFrame) => void;

/** One handler per frame kind (protocol/mesh/frame-types.ts FrameKind). */
export interface FrameHandlers {
  readonly data: FrameHandler;
  readonly fragment: FrameHandler;
  readonly ack: FrameHandler;
  readonly fragmentRequest: FrameHandler;
  readonly announce: FrameHandler;
  readonly routeRequest: FrameHandler;
}
