/**
 * Relay key fingerprints (issue 9 item 4, docs/PROTOCOL.md "keys-cards",
 * "Server entries"): 16 bytes that name one relay key pair, carried in a
 * card's server entries and in relay URLs as a `#k=<32 hex digits>`
 * fragment, so that a client talks to the relay under the key the card's
 * author meant and nobody on the path can pose as it.
 *
 *   fingerprint = SHA-256("meow/relay/v1/key-fingerprint" || Ed25519 pub || X25519 pub)[0..16]
 *
 * 128 bits: posing as a relay would need a second preimage (about 2^128
 * key generations), where the 8-byte server id (2^64) is only a routing name.
 */
import { concatBytes, constantTimeEqual, fromHex, toHex, utf8 } from '../codec/bytes.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import type { ServerPublicKey } from '../keys/keys.ts';

export const RELAY_KEY_FINGERPRINT_BYTES = 16;
const LABEL = utf8('meow/relay/v1/key-fingerprint');
const FRAGMENT = /#k=([0-9a-f]{32})$/;

export function relayKeyFingerprint(suite: CryptoSuite, server: ServerPublicKey): Uint8Array {
  return suite.sha256(concatBytes(LABEL, server.signing, server.agreement)).slice(0, RELAY_KEY_FINGERPRINT_BYTES);
}

/** Whether `server` is the key `fingerprint` names (constant time). */
export function matchesFingerprint(suite: CryptoSuite, server: ServerPublicKey, fingerprint: Uint8Array): boolean {
  return fingerprint.length === RELAY_KEY_FINGERPRINT_BYTES && constantTimeEqual(relayKeyFingerprint(suite, server), fingerprint);
}

/** Splits "url#k=<32 hex>" into the URL without its fragment and the fingerprint; a URL without one is returned as is. */
export function splitPinnedUrl(text: string): { readonly url: string; readonly fingerprint?: Uint8Array } {
  const m = FRAGMENT.exec(text);
  if (!m?.[1]) return { url: text };
  const fingerprint = fromHex(m[1]);
  return fingerprint ? { url: text.slice(0, m.index), fingerprint } : { url: text };
}

/** "url#k=<32 hex>": how a pinned relay URL is written in configuration and shown to people. */
export function pinnedUrl(url: string, fingerprint: Uint8Array): string {
  return `${url}#k=${toHex(fingerprint)}`;
}
