/**
 * Server catalog exchange (whitepaper 6.1: "each server will cache a list of
 * all the servers that it is aware of"). A relay configured with peer URLs
 * periodically asks each peer for its catalog, keeps the valid entries
 * (signature, expiry, newer issue wins: public-handlers.ts), and announces
 * its own catalog to the peer, so knowledge spreads one hop per round.
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock } from '../../seams/clock.ts';
import type { RelayCore } from './core/relay-core.ts';

/**
 * What the exchange needs of a peer relay. The relay client
 * (gateway/client/relay-client.ts) is one; the server does not import it:
 * the program that starts the relay passes connectRelay as the connector.
 */
export interface CatalogPeer {
  /** The peer's catalog, each descriptor's signature already verified. */
  catalog(): Promise<readonly { readonly bytes: Uint8Array }[]>;
  /** Offers descriptors to the peer; resolves with how many it accepted. */
  announce(descriptors: readonly Uint8Array[]): Promise<number>;
  close(): Promise<void>;
}

/** Opens a CatalogPeer for a relay URL (any door), with the relay's own suite, randomness and clock. */
export type ConnectCatalogPeer = (
  url: string, context: { readonly suite: CryptoSuite; readonly random: RandomSource; readonly clock: Clock },
) => Promise<CatalogPeer>;

export interface CatalogSyncResult {
  /** Descriptors learnt from the peer (new or newer). */
  readonly learnt: number;
  /** Descriptors the peer accepted from us. */
  readonly taught: number;
}

/** One exchange with one peer through an open client. */
export async function syncCatalogWith(core: RelayCore, peer: CatalogPeer): Promise<CatalogSyncResult> {
  const theirs = await peer.catalog();
  const learnt = await core.importCatalog(theirs.map((d) => d.bytes));
  const ours = await core.catalogBytes();
  const taught = ours.length === 0 ? 0 : await peer.announce(ours.slice(0, 64));
  return { learnt, taught };
}
