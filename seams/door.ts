/**
 * A relay front door (HTTP/S, MQTT, UDP: docs/PROTOCOL.md section "server"):
 * one way for request frames to reach the relay core and its answers to get
 * back. Every door drives the same core (gateway/server/core/relay-core.ts);
 * a door never reads or writes a frame's contents beyond the reply id it
 * needs to refuse one. The door table (gateway/server/doors/door-table.ts)
 * opens doors by URL scheme; one compliance suite
 * (test/seams/door.contract.ts) runs against every door through the relay
 * client's transport for the same scheme.
 *
 * Contract:
 *  - Opening a door resolves once it accepts requests, with `url` (the URL
 *    clients use, `user:pass@` included when the door asks basic
 *    credentials, its scheme one of protocol/server/doors.ts
 *    RELAY_URL_SCHEMES) and `port` (the bound port, or the broker's).
 *  - Each request frame a client sends reaches DoorCore.handle() once,
 *    whole, with its sender as `source` (rate limits are per source) and
 *    the largest answer the door can carry as `maxResponseBytes`; the frame
 *    handle() resolves with goes back to that sender only, unchanged.
 *  - A frame over the door's request cap is answered with a clear
 *    'too-large' refusal frame and never reaches the core (nor is it
 *    buffered whole).
 *  - A door answers only with frames: a client needs nothing but the frame
 *    to understand a refusal, whatever the door adds around it (an HTTP
 *    status).
 *  - close() stops accepting and resolves once the door's sockets are
 *    closed; no answer is sent after it resolves.
 */

/** What the core learns about a request from the door that carried it. */
export interface DoorRequest {
  /** Who sent it, for rate limits: an IP address, an MQTT client id. */
  readonly source: string;
  /** The largest response frame the door can carry (UDP: one datagram). */
  readonly maxResponseBytes: number;
}

/** The part of the relay core a door drives. */
export interface DoorCore {
  /** The relay's 8-byte server id (names its MQTT topics). */
  readonly serverId: Uint8Array;
  /** The relay's current signed descriptor, served raw by doors that have a bootstrap path. */
  descriptor(): { readonly bytes: Uint8Array };
  /** Answers one request frame; never rejects (every failure is a response frame). */
  handle(frame: Uint8Array, request: DoorRequest): Promise<Uint8Array>;
}

export interface RunningDoor {
  /** The URL clients use (with user:pass@ when basic authentication is on). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Opens one kind of door on a core. */
export type OpenDoor<Options> = (core: DoorCore, options: Options) => Promise<RunningDoor>;
