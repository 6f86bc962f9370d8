/**
 * The ids under which an envelope is kept, defined once here so that every
 * node, gateway and store computes the same bytes (STYLE.md rule 17: ids
 * stay bytes; hex is for logs).
 *
 *   envelope id           = SHA-256(envelope)[0..16]
 *   addressed envelope id = SHA-256(mailbox tag || envelope)[0..16]
 *
 * The envelope id names an envelope inside one hosted mailbox (the store's
 * mailboxes are keyed by tag and id): a node that receives one envelope over
 * the mesh and again from a relay keeps it once, because the delivery hook
 * and the gateway's mail fetcher both file it under this id.
 *
 * The addressed envelope id names one deposit waiting in a queue for a
 * mailbox elsewhere (the gateway's Internet-bound outbox): the queue holds
 * deposits for many mailboxes, so the tag is part of what is unique. It is
 * the id that queue has always used, so rows queued by an older node and
 * the queue's log of sent ids stay valid across an upgrade.
 *
 * 16 bytes (128 bits): among the few million envelopes a node ever holds,
 * two share an id with a probability below 2^-80. Both differ from the
 * relay's own message id (protocol/server/mailbox.ts), which is that
 * server's dedup key, domain-separated by its label, and never stored here.
 */
import { concatBytes } from '../codec/bytes.ts';
import type { CryptoSuite } from '../crypto/suite.ts';

export const ENVELOPE_ID_BYTES = 16;

/** The id of an envelope in a mailbox. A fresh array. */
export function envelopeId(suite: CryptoSuite, envelope: Uint8Array): Uint8Array {
  return suite.sha256(envelope).slice(0, ENVELOPE_ID_BYTES);
}

/** The id of an envelope bound for mailbox `tag` on another host. A fresh array. */
export function addressedEnvelopeId(suite: CryptoSuite, tag: Uint8Array, envelope: Uint8Array): Uint8Array {
  return suite.sha256(concatBytes(tag, envelope)).slice(0, ENVELOPE_ID_BYTES);
}
