/**
 * Onion relays as the sender and the relays see them: the server catalog's
 * signed descriptors that announce a current onion key
 * (protocol/server/descriptor-onion.ts). Pure: the descriptors and the time
 * are given.
 */
import { toHex } from '../codec/bytes.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { decodeServerDescriptor, type ServerDescriptor } from '../server/descriptor.ts';
import { serverIdOf } from '../server/seal.ts';

export interface OnionRelayInfo {
  readonly serverId: Uint8Array;
  /** Hex of serverId, for maps and comparisons (public: ids are not secrets). */
  readonly id: string;
  readonly onionKey: Uint8Array;
  readonly validUntilSec: number;
  readonly urls: readonly string[];
  readonly descriptor: ServerDescriptor;
}

/** Relays whose descriptor verifies, has not expired and announces an onion key still valid at `nowSec`. */
export function onionRelaysOf(suite: CryptoSuite, descriptors: readonly Uint8Array[], nowSec: number): OnionRelayInfo[] {
  const out: OnionRelayInfo[] = [];
  const seen = new Set<string>();
  for (const bytes of descriptors) {
    const d = decodeServerDescriptor(suite, bytes);
    if (!d.ok || !d.value.onion || d.value.expiresSec <= nowSec || d.value.onion.validUntilSec <= nowSec) continue;
    const serverId = serverIdOf(suite, d.value.server);
    const id = toHex(serverId);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ serverId, id, onionKey: d.value.onion.key, validUntilSec: d.value.onion.validUntilSec, urls: d.value.urls, descriptor: d.value });
  }
  return out;
}
