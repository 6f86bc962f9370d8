/** Opens a RelayClient for a relay URL (http, https, udp, mqtt), choosing the transport by scheme (transport-table.ts). */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { ServerPublicKey } from '../../protocol/keys/keys.ts';
import type { Clock } from '../../seams/clock.ts';
import { RelayClient } from './relay-client.ts';
import { openTransport } from './transport-table.ts';
import type { OpenTransportOptions } from './transport.ts';

export { openTransport } from './transport-table.ts';

export interface ConnectOptions extends OpenTransportOptions {
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  /** A pinned relay key: connect() then refuses a relay presenting another. */
  readonly server?: ServerPublicKey;
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
