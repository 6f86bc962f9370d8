/**
 * What the gateway needs from one Meow relay, whatever its door (HTTP/S,
 * MQTT, UDP). The relay client library (gateway/client/) provides
 * the real implementations; tests may use them over loopback sockets.
 *
 * Contract:
 *  - deposit() resolves 'stored' or 'duplicate' once the relay has the
 *    envelope on disk (a relay deduplicates identical deposits, which is
 *    what makes the gateway's at-least-once flushing exactly-once);
 *  - it rejects with RelayUnreachableError when the relay could not be
 *    reached or did not answer (retry later), and RelayRefusedError when the
 *    relay answered with a refusal that a retry will not change (oversized,
 *    malformed): such an envelope is dropped and counted, never retried
 *    forever;
 *  - probe() resolves true when the relay answers at all, never rejects.
 */
import { SeamError } from './errors.ts';
import type { ErrorDetails } from '../protocol/errors.ts';
import type { LookupKeyPair } from '../protocol/keys/keys.ts';

export interface RelayPort {
  readonly url: string;
  probe(): Promise<boolean>;
  deposit(tag: Uint8Array, envelope: Uint8Array): Promise<'stored' | 'duplicate'>;
  /**
   * Envelopes waiting in a mailbox, fetched on behalf of a mesh user who
   * registered with this gateway and handed it that mailbox's lookup key
   * (docs/THREAT-MODEL.md, "gateway"). `acks` deletes messages fetched
   * before, once they are safely stored on the mesh side.
   */
  fetch(lookup: LookupKeyPair, acks: readonly Uint8Array[]): Promise<FetchedMessage[]>;
  /** Creates the mailbox of `lookup` on the relay (idempotent), so that deposits to it are accepted. */
  register(lookup: LookupKeyPair): Promise<void>;
  /** Files a presence blob under the mailbox of `lookup` for `ttlSec` seconds (0 withdraws it). */
  publishPresence?(lookup: LookupKeyPair, blob: Uint8Array, ttlSec: number): Promise<void>;
  /** The presence blob filed under `tag`, undefined when there is none (or it expired). */
  lookupPresence?(tag: Uint8Array): Promise<Uint8Array | undefined>;
  /**
   * Sends a deposit as a Matriochka onion with this relay as the first hop:
   * reads this relay's catalog, picks the chain (the middles at random, the
   * last the relay of `mailboxUrls` found first there), builds the packet
   * and hands it over. Resolves once this relay took it. Rejects with
   * OnionRouteError when no chain can be built from the catalog, with the
   * errors above when this relay is unreachable or refuses it.
   */
  sendOnion?(request: OnionSendRequest): Promise<OnionSent>;
  /** Closes sockets; the port may be reopened by the next call. */
  close(): Promise<void>;
}

export interface OnionSendRequest {
  /** The contact's relays (its card's URLs), in order of preference: the chain ends at the first one in the catalog. */
  readonly mailboxUrls: readonly string[];
  /** The 16-byte relay mailbox tag and the sealed envelope deposited there. */
  readonly tag: Uint8Array;
  readonly envelope: Uint8Array;
  readonly hops: number;
  readonly meanDelayMs: number;
  /** Hex server ids to leave out of the middle of the chain (the relays of a chain that delivered nothing). */
  readonly exclude: ReadonlySet<string>;
}

export interface OnionSent {
  /** Hex server ids of the chain, first hop first. */
  readonly chain: readonly string[];
  /** Sum of the drawn per-hop delays, ms. */
  readonly totalDelayMs: number;
}

/** No chain can be built: the catalog lacks the contact's relay, onion keys, or relays enough. */
export class OnionRouteError extends SeamError<'onion-route'> {
  override readonly name = 'OnionRouteError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('onion-route', message, details.fields, details);
  }
}

export interface FetchedMessage {
  /** The relay's id for the message, passed back in `acks` to delete it. */
  readonly id: Uint8Array;
  readonly envelope: Uint8Array;
}

export class RelayUnreachableError extends SeamError<'relay-unreachable'> {
  override readonly name = 'RelayUnreachableError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('relay-unreachable', message, details.fields, details);
  }
}

export class RelayRefusedError extends SeamError<'relay-refused'> {
  override readonly name = 'RelayRefusedError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('relay-refused', message, details.fields, details);
  }
}
