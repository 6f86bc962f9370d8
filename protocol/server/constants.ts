/**
 * Caps and domain-separation strings of the relay protocol (docs/PROTOCOL.md
 * section "server"). Every length a decoder reads is capped by one of these.
 */

export const RELAY_PROTOCOL_VERSION = 1;

/** Mailbox tags are 16 bytes: enough to make collisions negligible, small on air. */
export const MAILBOX_TAG_BYTES = 16;
/** Message ids (truncated SHA-256 of tag || envelope) double as dedup keys. */
export const MESSAGE_ID_BYTES = 16;
/** Server ids (truncated SHA-256 of the server's public keys) route a sealed frame. */
export const SERVER_ID_BYTES = 8;
/** Reply ids pair a response with its request on datagram and MQTT doors. */
export const REPLY_ID_BYTES = 8;
export const PASS_BYTES = 16;
export const PASS_KEY_BYTES = 32;
export const STAMP_NONCE_BYTES = 8;

/** Envelope cap: a 4 KiB message (DESIGN.md section 4) plus headers and padding. */
export const MAX_ENVELOPE_BYTES = 8192;
export const MAX_PRESENCE_BYTES = 256;
export const MAX_PRESENCE_TTL_SECONDS = 86_400;
export const MAX_BROADCAST_TEXT_BYTES = 1024;
export const MAX_DIRECTORY_DESCRIPTION_BYTES = 140;
export const MAX_DIRECTORY_REACH_BYTES = 512;
export const MAX_DIRECTORY_TTL_SECONDS = 30 * 86_400;
export const MAX_DIRECTORY_QUERY_BYTES = 64;
export const MAX_SERVER_URLS = 8;
export const MAX_SERVER_URL_BYTES = 200;
export const MAX_DESCRIPTOR_BYTES = 1 + 32 + 32 + 4 + 4 + 1 + MAX_SERVER_URLS * (2 + MAX_SERVER_URL_BYTES) + 36 + 64;
export const MAX_ACKS_PER_FETCH = 64;
export const MAX_LIST_ITEMS = 64;
export const MAX_ERROR_MESSAGE_BYTES = 200;
/** The largest plaintext request (a deposit of the largest envelope, with pass and stamp). */
export const MAX_REQUEST_PLAINTEXT_BYTES = 16 * 1024;
/** The largest whole frame a door accepts; responses may be larger (lists), capped by the door. */
export const MAX_REQUEST_FRAME_BYTES = MAX_REQUEST_PLAINTEXT_BYTES + 64;
export const MAX_RESPONSE_FRAME_BYTES = 1024 * 1024;

export const ED25519_PUBLIC_BYTES = 32;
export const SIGNATURE_BYTES = 64;

const enc = new TextEncoder();
/** Domain-separation labels: each signature, hash and key derivation has its own. */
export const LABEL = {
  serverId: enc.encode('meow/relay/v1/server-id'),
  sealKeys: enc.encode('meow/relay/v1/seal-keys'),
  signedRequest: enc.encode('meow/relay/v1/signed-request'),
  stamp: enc.encode('meow/relay/v1/stamp'),
  mailboxTag: enc.encode('meow/relay/v1/mailbox-tag'),
  pass: enc.encode('meow/relay/v1/pass'),
  messageId: enc.encode('meow/relay/v1/message-id'),
  broadcast: enc.encode('meow/relay/v1/broadcast'),
  directory: enc.encode('meow/relay/v1/directory'),
  descriptor: enc.encode('meow/relay/v1/descriptor'),
} as const;
