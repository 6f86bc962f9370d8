/**
 * How a relay client moves frames, whatever the door. One exchange sends a
 * request frame and resolves with the response frame answering it (matched
 * by reply id on doors that multiplex), or rejects with RelayTransportError
 * (unreachable, timeout, closed). A transport never interprets frames.
 */
export interface RelayTransport {
  readonly url: string;
  /** The largest request frame this door takes (UDP: one datagram). */
  readonly maxRequestBytes: number;
  /**
   * Datagram doors answer at most 3x the bytes they receive (anti
   * amplification): the client pads each request frame up to this size so
   * that full answers fit. Undefined: no padding.
   */
  readonly padRequestsTo?: number;
  exchange(frame: Uint8Array, replyId: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface TransportOptions {
  /** How long to wait for an answer. Default 15 s. */
  readonly timeoutMs?: number;
  /** PEM certificate(s) to trust for https (a self-signed relay). */
  readonly ca?: string | Buffer;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
