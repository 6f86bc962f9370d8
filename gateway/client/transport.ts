import type { RandomSource } from '../../protocol/random.ts';

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

/** What every transport opener of the scheme table (transport-table.ts) is given; each reads what it needs. */
export interface OpenTransportOptions extends TransportOptions {
  /** MQTT: draws the client id that names this session's topics. */
  readonly random: RandomSource;
  /** HTTP only: parallel sockets to the relay. */
  readonly maxSockets?: number;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
