/**
 * Where the onion front sends a peeled packet: the next relay's URLs, from
 * this relay's own server catalog (its signed descriptors, kept by the
 * catalog exchange). A relay the catalog does not know cannot be a next
 * hop: the sender built the chain from a catalog, so its relays are there
 * once the catalogs have met. Decoding verifies every signature, so the
 * table is rebuilt only on a miss, at most once per `refreshMs` (misses in
 * between wait for that rebuild).
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { decodeServerDescriptor } from '../../../protocol/server/descriptor.ts';
import { serverIdOf } from '../../../protocol/server/seal.ts';
import type { Clock } from '../../../seams/clock.ts';

export type ResolveRelayUrls = (serverId: Uint8Array) => Promise<readonly string[]>;

export function catalogUrlResolver(
  suite: CryptoSuite, clock: Clock, catalogBytes: () => Promise<readonly Uint8Array[]>, refreshMs = 1000,
): ResolveRelayUrls {
  let table = new Map<string, readonly string[]>();
  let builtAt = Number.NEGATIVE_INFINITY;
  const rebuild = async (): Promise<void> => {
    builtAt = clock.now();
    const next = new Map<string, readonly string[]>();
    const nowSec = Math.floor(clock.now() / 1000);
    for (const bytes of await catalogBytes()) {
      const d = decodeServerDescriptor(suite, bytes);
      if (d.ok && d.value.expiresSec > nowSec) next.set(toHex(serverIdOf(suite, d.value.server)), d.value.urls);
    }
    table = next;
  };
  let pending: Promise<void> | undefined;
  // A miss rebuilds the table, at most once per refreshMs: a miss inside that window waits for the next rebuild.
  const refresh = (): Promise<void> => {
    pending ??= new Promise<void>((resolve) => {
      const wait = Math.max(0, builtAt + refreshMs - clock.now());
      clock.setTimer(wait, () => void rebuild().catch(() => undefined).finally(() => {
        pending = undefined;
        resolve();
      }));
    });
    return pending;
  };
  return async (serverId) => {
    const id = toHex(serverId);
    if (!table.has(id)) await refresh();
    return table.get(id) ?? [];
  };
}
