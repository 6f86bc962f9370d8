/**
 * Server catalog exchange (whitepaper 6.1: "each server will cache a list of
 * all the servers that it is aware of"). A relay configured with peer URLs
 * periodically asks each peer for its catalog, keeps the valid entries
 * (signature, expiry, newer issue wins: public-handlers.ts), and announces
 * its own catalog to the peer, so knowledge spreads one hop per round.
 */
import type { RelayClient } from '../client/relay-client.ts';
import type { RelayCore } from './core/relay-core.ts';

export interface CatalogSyncResult {
  /** Descriptors learnt from the peer (new or newer). */
  readonly learnt: number;
  /** Descriptors the peer accepted from us. */
  readonly taught: number;
}

/** One exchange with one peer through an open client. */
export async function syncCatalogWith(core: RelayCore, peer: RelayClient): Promise<CatalogSyncResult> {
  const theirs = await peer.catalog();
  const learnt = await core.importCatalog(theirs.map((d) => d.bytes));
  const ours = await core.catalogBytes();
  const taught = ours.length === 0 ? 0 : await peer.announce(ours.slice(0, 64));
  return { learnt, taught };
}
