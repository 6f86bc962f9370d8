/**
 * The relay's front doors as they appear on the wire (docs/PROTOCOL.md
 * section "server", "HTTP and HTTPS door", "MQTT door", "UDP door"): URL
 * schemes, HTTP paths, MQTT topics, datagram sizes. The doors
 * (gateway/server/doors/) and the client transports (gateway/client/) both
 * read them here, so neither imports the other.
 */
import { base64 } from '@scure/base';
import { toHex } from '../codec/bytes.ts';
import { MAX_REQUEST_FRAME_BYTES } from './constants.ts';

/**
 * Every URL scheme a relay door answers on. The server's door table and the
 * client's transport table are both keyed by it, so the compiler names the
 * row a new scheme still lacks on either side.
 */
export const RELAY_URL_SCHEMES = ['http:', 'https:', 'udp:', 'mqtt:', 'serial:'] as const;
export type RelayUrlScheme = (typeof RELAY_URL_SCHEMES)[number];

export function isRelayUrlScheme(scheme: string): scheme is RelayUrlScheme {
  return (RELAY_URL_SCHEMES as readonly string[]).includes(scheme);
}

// HTTP and HTTPS (whitepaper 5.2).
/** POST a request frame, read the response frame. */
export const HTTP_RELAY_PATH = '/v1/relay';
/** GET the relay's signed descriptor (raw bytes), for bootstrapping. */
export const HTTP_DESCRIPTOR_PATH = '/v1/descriptor';
export const HTTP_DEFAULT_PORT = 80;
export const HTTPS_DEFAULT_PORT = 443;

/**
 * HTTP basic credentials (RFC 7617) for `https://user:pass@host` relay URLs
 * (whitepaper 5.1): `Basic base64(user ":" pass)`, UTF-8.
 */
export interface BasicCredentials {
  readonly user: string;
  readonly pass: string;
}

export function basicAuthHeader(credentials: BasicCredentials): string {
  return `Basic ${base64.encode(new TextEncoder().encode(`${credentials.user}:${credentials.pass}`))}`;
}

// MQTT.
export const MQTT_TOPIC_ROOT = 'meow/relay/v1';
export const MQTT_DEFAULT_PORT = 1883;
/** The largest MQTT payload the relay publishes (a response frame). */
export const MQTT_MAX_PAYLOAD_BYTES = 1024 * 1024;
/** A client's id in its topics: random per session, 12 to 32 of [0-9a-z]. */
export const MQTT_CLIENT_ID = /^[0-9a-z]{12,32}$/;

/** The pair of topics one client talks to one relay on: it publishes on `request`, the relay answers on `response`. */
export function mqttTopics(serverId: Uint8Array, clientId: string): { request: string; response: string } {
  const base = mqttServerTopic(serverId);
  return { request: `${base}/req/${clientId}`, response: `${base}/res/${clientId}` };
}

/** The topic prefix of one relay: `meow/relay/v1/<server id hex>` (several relays may share a broker). */
export function mqttServerTopic(serverId: Uint8Array): string {
  return `${MQTT_TOPIC_ROOT}/${toHex(serverId)}`;
}

// UDP (whitepaper 5.3).
/**
 * The largest UDP payload that crosses any IPv6 path without fragmenting:
 * RFC 8200 section 5 minimum MTU 1280 - 48 bytes of headers. No relay frame
 * is split over datagrams.
 */
export const UDP_MAX_DATAGRAM_BYTES = 1232;
/**
 * Anti-amplification (as QUIC, RFC 9000 section 8.1): the door never sends
 * more than 3 times the bytes of the datagram it answers, so a spoofed
 * source address cannot turn the relay into a reflector. Clients pad their
 * requests (zeros inside the seal) to 411 bytes, which lets every answer up
 * to a full datagram through.
 */
export const UDP_AMPLIFICATION_FACTOR = 3;
export const UDP_PAD_REQUESTS_TO_BYTES = Math.ceil(UDP_MAX_DATAGRAM_BYTES / UDP_AMPLIFICATION_FACTOR);

// Serial line (whitepaper 5.1 `serial://dev/ttyS0`; docs/PROTOCOL.md "Serial door").
/**
 * Each relay frame crosses the line as one SLIP frame (RFC 1055) holding
 * the frame and a CRC-32 (the serial link's framing, node-runtime/links/
 * serial/serial-frame.ts), in both directions; answers are matched by reply
 * id, so requests may overlap. A frame is at most the largest request frame
 * any door takes (16 KiB + seal): about 1.5 s at 115200 bit/s.
 */
export const SERIAL_MAX_FRAME_BYTES = MAX_REQUEST_FRAME_BYTES;
export const SERIAL_DEFAULT_BAUD = 115_200;
