/** Opens a RelayClient for a relay URL (http, https, udp, mqtt), choosing the transport by scheme. */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { ServerPublicKey } from '../../protocol/keys/keys.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock } from '../../seams/clock.ts';
import { RelayTransportError } from '../server/errors.ts';
import { httpTransport } from './http-transport.ts';
import { mqttTransport } from './mqtt-transport.ts';
import { RelayClient } from './relay-client.ts';
import type { RelayTransport, TransportOptions } from './transport.ts';
import { udpTransport } from './udp-transport.ts';

export interface ConnectOptions extends TransportOptions {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: Clock;
  /** A pinned relay key: connect() then refuses a relay presenting another. */
  readonly server?: ServerPublicKey;
  /** HTTP only: parallel sockets to the relay. */
  readonly maxSockets?: number;
}

export async function openTransport(url: string, options: ConnectOptions): Promise<RelayTransport> {
  const scheme = new URL(url).protocol;
  switch (scheme) {
    case 'http:':
    case 'https:':
      return httpTransport(url, options);
    case 'udp:':
      return udpTransport(url, options);
    case 'mqtt:':
      return mqttTransport(url, options.random, options);
    default:
      throw new RelayTransportError(`unsupported relay URL scheme ${scheme}`);
  }
}

/** Opens the transport and learns (or checks) the relay's key from its signed descriptor. */
export async function connectRelay(url: string, options: ConnectOptions): Promise<RelayClient> {
  const transport = await openTransport(url, options);
  const client = new RelayClient({
    suite: options.suite, random: options.random, clock: options.clock, transport, ...(options.server ? { server: options.server } : {}),
  });
  try {
    await client.connect();
  } catch (e) {
    await transport.close();
    throw e;
  }
  return client;
}
