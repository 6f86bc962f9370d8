/**
 * The relay client's transports, one row per URL scheme
 * (protocol/server/doors.ts RELAY_URL_SCHEMES). A new door is its door file
 * on the server (gateway/server/doors/door-table.ts has its row), its
 * transport file here, and this row; keyed by the protocol's scheme list,
 * the table does not compile while a scheme lacks its transport.
 */
import { isRelayUrlScheme, type RelayUrlScheme } from '../../protocol/server/doors.ts';
import { RelayTransportError } from './errors.ts';
import { httpTransport } from './http-transport.ts';
import { mqttTransport } from './mqtt-transport.ts';
import type { OpenTransportOptions, RelayTransport } from './transport.ts';
import { udpTransport } from './udp-transport.ts';
import { serialTransport } from './serial-transport.ts';

export type OpenTransport = (url: string, options: OpenTransportOptions) => RelayTransport | Promise<RelayTransport>;

export const TRANSPORT_TABLE: Readonly<Record<RelayUrlScheme, OpenTransport>> = {
  'http:': httpTransport,
  'https:': httpTransport,
  'udp:': udpTransport,
  'mqtt:': (url, options) => mqttTransport(url, options.random, options),
  'serial:': serialTransport,
};

/** Opens the transport for a relay URL by its scheme; RelayTransportError for a scheme no door speaks. */
export async function openTransport(url: string, options: OpenTransportOptions): Promise<RelayTransport> {
  const scheme = new URL(url).protocol;
  if (!isRelayUrlScheme(scheme)) throw new RelayTransportError(`unsupported relay URL scheme ${scheme}`);
  return TRANSPORT_TABLE[scheme](url, options);
}
