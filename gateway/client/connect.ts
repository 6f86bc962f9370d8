/** Opens a RelayClient for a relay URL (http, https, udp, mqtt), choosing the transport by scheme (transport-table.ts). */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { ServerPublicKey } from '../../protocol/keys/keys.ts';
import type { Clock } from '../../seams/clock.ts';
import { RelayClient } from './relay-client.ts';
import { splitPinnedUrl } from '../../protocol/server/fingerprint.ts';
import { openTransport } from './transport-table.ts';
import type { OpenTransportOptions } from './transport.ts';

export { openTransport } from './transport-table.ts';

export interface ConnectOptions extends OpenTransportOptions {
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  /** A pinned relay key: connect() then refuses a relay presenting another. */
  readonly server?: ServerPublicKey;
}

/**
 * Opens the transport and learns (or checks) the relay's key from its
 * signed descriptor. A URL ending in `#k=<32 hex>` (a card's pinned entry,
 * protocol/server/fingerprint.ts) pins the key: any other is refused.
 */
export async function connectRelay(pinnedOrPlainUrl: string, options: ConnectOptions): Promise<RelayClient> {
  const { url, fingerprint } = splitPinnedUrl(pinnedOrPlainUrl);
  const transport = await openTransport(url, options);
  let client: RelayClient;
  try {
    client = new RelayClient({
      suite: options.suite, random: options.random, clock: options.clock, transport,
      ...(options.server ? { server: options.server } : {}), ...(fingerprint ? { keyFingerprint: fingerprint } : {}),
    });
  } catch (e) {
    await transport.close();
    throw e;
  }
  try {
    await client.connect();
  } catch (e) {
    await transport.close();
    throw e;
  }
  return client;
}
