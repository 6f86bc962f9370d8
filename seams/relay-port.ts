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
  /** Closes sockets; the port may be reopened by the next call. */
  close(): Promise<void>;
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
