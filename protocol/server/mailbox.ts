/**
 * Mailbox naming and sender passes (docs/PROTOCOL.md section "server",
 * "Mailboxes").
 *
 *   tag       = SHA-256("meow/relay/v1/mailbox-tag" || Lkp public)[0..16]
 *   messageId = SHA-256("meow/relay/v1/message-id" || tag || envelope)[0..16]
 *   pass      = HMAC-SHA-256(passKey, "meow/relay/v1/pass" || tag || messageId)[0..16]
 *
 * The tag hides the Lkp public key from depositors' observers and from the
 * relay's other users; the fetch request reveals the key to the relay only
 * (it is sealed), and the relay checks tag = derive(key). The message id is
 * the dedup key: the same envelope deposited twice is stored once. The pass
 * key is given by the mailbox owner to its contacts (inside the session) and
 * registered with the relay; a deposit carrying a valid pass is from a known
 * sender and needs no proof-of-work stamp.
 */
import { concatBytes } from '../codec/bytes.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { LABEL, MAILBOX_TAG_BYTES, MESSAGE_ID_BYTES, PASS_BYTES } from './constants.ts';

export function mailboxTagOf(suite: CryptoSuite, lookupPublicKey: Uint8Array): Uint8Array {
  return suite.sha256(concatBytes(LABEL.mailboxTag, lookupPublicKey)).slice(0, MAILBOX_TAG_BYTES);
}

export function messageIdOf(suite: CryptoSuite, tag: Uint8Array, envelope: Uint8Array): Uint8Array {
  return suite.sha256(concatBytes(LABEL.messageId, tag, envelope)).slice(0, MESSAGE_ID_BYTES);
}

export function senderPassOf(suite: CryptoSuite, passKey: Uint8Array, tag: Uint8Array, messageId: Uint8Array): Uint8Array {
  return suite.hmacSha256(passKey, concatBytes(LABEL.pass, tag, messageId)).slice(0, PASS_BYTES);
}
