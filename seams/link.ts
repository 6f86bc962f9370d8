/**
 * One interface for every way a node reaches its neighbours: the simulated
 * radio medium, a LoRa HAT, a serial line, UDP on an isolated Wi-Fi LAN.
 * The router sees only this; one contract suite (test/seams/link.contract.ts)
 * runs against every implementation.
 *
 * Contract:
 *  - send() hands one whole mesh frame (at most `mtu` bytes) to the medium.
 *    It resolves when the frame has left (or been queued by the device); it
 *    rejects with LinkClosedError after close(), and with FrameTooLargeError
 *    for a frame over `mtu`. Delivery is never guaranteed (radio semantics).
 *  - Every frame received is passed once, whole, to the handler given to
 *    onFrame(); a link never delivers a partial or merged frame, and drops
 *    (and counts) what it cannot deframe.
 *  - A link does not echo a node's own frames back to it.
 *  - close() is idempotent; after it resolves no handler is called.
 */
import { SeamError } from './errors.ts';
import type { ErrorDetails } from '../protocol/errors.ts';
export interface ReceivedFrame {
  readonly bytes: Uint8Array;
  /** Received signal strength, where the medium reports it. */
  readonly rssiDbm?: number;
  /** Signal-to-noise ratio, where the medium reports it (LoRa). */
  readonly snrDb?: number;
  /** Link-level address of the sender where the medium has one (UDP "host:port"). */
  readonly linkAddress?: string;
}

/**
 * What kind of link this is, as the daemon's `links` configuration names it
 * (node-runtime/links/registry.ts lists the kinds a node can open). Open: a
 * new kind is a new folder and a registry row, never an edit here; the
 * names listed are the kinds that exist today, kept for editor completion.
 */
export type LinkKind = 'sim-radio' | 'lora' | 'serial' | 'udp' | (string & {});

export interface LinkStats {
  framesSent: number;
  framesReceived: number;
  framesDropped: number;
  bytesSent: number;
  bytesReceived: number;
}

export interface Link {
  readonly id: string;
  readonly kind: LinkKind;
  /** Largest frame this link carries, in bytes. */
  readonly mtu: number;
  /**
   * Time on air for a frame of `length` bytes, in ms: the Semtech formula
   * for radios, 0 for links whose airtime is not scarce (UDP).
   */
  airtimeMs(length: number): number;
  send(frame: Uint8Array): Promise<void>;
  onFrame(handler: (frame: ReceivedFrame) => void): void;
  stats(): LinkStats;
  close(): Promise<void>;
}

export class LinkClosedError extends SeamError<'link-closed'> {
  override readonly name = 'LinkClosedError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('link-closed', message, details.fields, details);
  }
}

export class FrameTooLargeError extends SeamError<'frame-too-large'> {
  override readonly name = 'FrameTooLargeError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('frame-too-large', message, details.fields, details);
  }
}
