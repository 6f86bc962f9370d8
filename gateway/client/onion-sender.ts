/**
 * The sender's side of a Matriochka deposit (whitepaper 1.2.2; docs/PROTOCOL.md
 * "Matriochka message packing"), through a client of the first hop, one of
 * the user's trusted relays:
 *   1. that relay's descriptor (its current onion key) and its catalog;
 *   2. the last hop: the first of the contact's relays the catalog knows
 *      with an onion key (a pinned `#k=` URL must match the descriptor's key);
 *   3. the deposit request, with a stamp minted for the last relay's key
 *      (the mailbox owner gave no sender pass);
 *   4. the chain (middles drawn at random, `exclude` left out), the delays,
 *      the packet of the smallest class that holds the deposit (short,
 *      long; radio first when the first hop is reached over a radio);
 *   5. the packet to the first relay, which answers 'accepted' or refuses.
 * No chain, no message: OnionRouteError, never a plain deposit instead.
 */
import { concatBytes, toHex } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock } from '../../seams/clock.ts';
import { onionRelaysOf, type OnionRelayInfo } from '../../protocol/onion/catalog.ts';
import { ONION_CLASSES, type OnionClass } from '../../protocol/onion/constants.ts';
import { OnionUsageError } from '../../protocol/onion/errors.ts';
import { packOnion } from '../../protocol/onion/pack.ts';
import { maxDepositBytes } from '../../protocol/onion/payload.ts';
import { matchesFingerprint, splitPinnedUrl } from '../../protocol/server/fingerprint.ts';
import { messageIdOf } from '../../protocol/server/mailbox.ts';
import { encodeRequest } from '../../protocol/server/request-encode.ts';
import { serverIdOf } from '../../protocol/server/seal.ts';
import { mintStamp } from '../../protocol/server/stamp.ts';
import type { ServerDescriptor } from '../../protocol/server/descriptor.ts';
import { type OnionSendRequest, type OnionSent, OnionRouteError } from '../../seams/relay-port.ts';

/**
 * What the sender needs of its first hop: a RelayClient over the Internet,
 * or a mesh gateway carrying the requests (gateway/bridge/mesh-onion-client.ts).
 */
export interface OnionFirstHop {
  /** The first relay's signed descriptor (checked against a pinned key by the implementation). */
  connect(): Promise<ServerDescriptor>;
  /** Its catalog's descriptors. */
  catalog(): Promise<ServerDescriptor[]>;
  /** Hands it the packet; resolves once it took it. */
  sendOnion(packet: Uint8Array): Promise<void>;
}

export interface OnionSenderContext {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: Clock;
  /** Stamp difficulty the last relay asks of deposits. */
  readonly stampBits: number;
  /**
   * Packets the first hop carries over a radio (a mesh gateway): the radio
   * class too when the deposit fits it. Off over the Internet, where every
   * sender's packets stay in the short and long classes (one crowd).
   */
  readonly overRadio?: boolean;
}

/** The relay of the contact's first URL that the catalog lists with an onion key. */
function mailboxRelay(suite: CryptoSuite, catalog: readonly OnionRelayInfo[], urls: readonly string[]): OnionRelayInfo {
  for (const pinned of urls) {
    const { url, fingerprint } = splitPinnedUrl(pinned);
    const found = catalog.find((r) => r.urls.includes(url) && (!fingerprint || matchesFingerprint(suite, r.descriptor.server, fingerprint)));
    if (found) return found;
  }
  throw new OnionRouteError('none of the contact\'s relays is in the first relay\'s catalog with an onion key: no chain can end at its mailbox');
}

/**
 * The smallest class with room for the deposit and the hops: short, else
 * long; over a radio the radio class first (its airtime is the scarce one,
 * at the cost of a smaller crowd: docs/THREAT-MODEL.md "Onions over the mesh").
 */
export function classFor(depositBytes: number, hops: number, overRadio = false): OnionClass {
  const classes = overRadio ? [ONION_CLASSES.radio, ONION_CLASSES.short, ONION_CLASSES.long] : [ONION_CLASSES.short, ONION_CLASSES.long];
  for (const c of classes) if (depositBytes <= maxDepositBytes(c) && hops <= c.maxHops) return c;
  throw new OnionRouteError(hops > ONION_CLASSES.long.maxHops
    ? `an onion has at most ${ONION_CLASSES.long.maxHops} hops` : `a deposit of ${depositBytes} bytes does not fit an onion`);
}

export async function sendOnionVia(client: OnionFirstHop, ctx: OnionSenderContext, r: OnionSendRequest): Promise<OnionSent> {
  const { suite, random, clock } = ctx;
  const own = await client.connect();
  const listed = await client.catalog();
  const nowSec = Math.floor(clock.now() / 1000);
  const catalog = onionRelaysOf(suite, [own.bytes, ...listed.map((d) => d.bytes)], nowSec);
  const first = toHex(serverIdOf(suite, own.server));
  if (!catalog.some((x) => x.id === first)) throw new OnionRouteError('the trusted relay announces no onion key: it does not relay onions');
  const last = mailboxRelay(suite, catalog, r.mailboxUrls);
  const id = messageIdOf(suite, r.tag, r.envelope);
  const stamp = ctx.stampBits > 0
    ? mintStamp(suite, random, last.descriptor.server.signing, concatBytes(r.tag, id), ctx.stampBits, Math.floor(clock.now() / 60_000))
    : undefined;
  const depositRequest = encodeRequest({ kind: 'deposit', tag: r.tag, envelope: r.envelope, ...(stamp ? { stamp } : {}) });
  // A first hop that is also the last would see both ends: another trusted relay must start the chain.
  if (last.id === first) throw new OnionRouteError('the trusted relay holds the contact\'s mailbox: it would see both ends of the chain');
  const hops = r.hops;
  let packed;
  try {
    // The first hop is this relay: the user's trust is in it, not in a draw from its catalog.
    packed = packOnion(suite, random, {
      catalog, trusted: [first], mailbox: last.id, hops, exclude: r.exclude,
      onionClass: classFor(depositRequest.length, hops, ctx.overRadio), depositRequest, meanDelayMs: r.meanDelayMs,
    });
  } catch (e) {
    if (e instanceof OnionUsageError) throw new OnionRouteError(e.message);
    throw e;
  }
  await client.sendOnion(packed.packet);
  return { chain: packed.chain.map((x) => x.id), totalDelayMs: packed.totalDelayMs };
}
