/**
 * What sender and relay both derive from one hop's shared secret
 * (docs/PROTOCOL.md "Matriochka message packing"; Sphinx, Danezis and
 * Goldberg 2009, section 3.2):
 *
 *   s_i        = X25519(relay onion secret, alpha_i)
 *   okm        = HKDF-SHA-256(ikm = s_i, salt = alpha_i, info = "meow/onion/v1/hop-keys", 80)
 *   macKey     = okm[0..32]    gamma_i = HMAC-SHA-256(macKey, beta_i || delta_i)[0..16]
 *   streamKey  = okm[32..64]   ChaCha20 keystream: nonce 0 for beta, nonce 1 for delta
 *   replayTag  = okm[64..80]   kept by the relay for its key period
 *   b_i        = SHA-256("meow/onion/v1/blind" || alpha_i || s_i)
 *   alpha_i+1  = X25519(b_i, alpha_i)              (the blinded key of the next hop)
 *
 * The keystream is ChaCha20 (RFC 8439) taken from the suite's AEAD: sealing
 * data under (streamKey, nonce) XORs it with the keystream from block 1; the
 * tag is dropped. Each streamKey serves one packet, and the replay check
 * keeps a relay from peeling it twice.
 */
import { concatBytes } from '../codec/bytes.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { AEAD_NONCE_BYTES, KEY_BYTES } from '../crypto/suite.ts';
import { ONION_LABEL, ONION_MAC_BYTES, ONION_REPLAY_TAG_BYTES } from './constants.ts';

const EMPTY = new Uint8Array(0);
const BETA_NONCE = new Uint8Array(AEAD_NONCE_BYTES);
const DELTA_NONCE = (() => {
  const n = new Uint8Array(AEAD_NONCE_BYTES);
  n[0] = 1;
  return n;
})();

export interface HopKeys {
  readonly macKey: Uint8Array;
  readonly streamKey: Uint8Array;
  readonly replayTag: Uint8Array;
}

export function deriveHopKeys(suite: CryptoSuite, shared: Uint8Array, alpha: Uint8Array): HopKeys {
  const okm = suite.hkdf(shared, alpha, ONION_LABEL.hopKeys, 2 * KEY_BYTES + ONION_REPLAY_TAG_BYTES);
  return {
    macKey: okm.subarray(0, KEY_BYTES),
    streamKey: okm.subarray(KEY_BYTES, 2 * KEY_BYTES),
    replayTag: okm.subarray(2 * KEY_BYTES),
  };
}

export function blindingFactor(suite: CryptoSuite, alpha: Uint8Array, shared: Uint8Array): Uint8Array {
  return suite.sha256(concatBytes(ONION_LABEL.blind, alpha, shared));
}

function xorStream(suite: CryptoSuite, key: Uint8Array, nonce: Uint8Array, data: Uint8Array): Uint8Array {
  return suite.aeadSeal(key, nonce, data, EMPTY).subarray(0, data.length);
}

/** beta XOR keystream (nonce 0); the relay passes beta || 0^25 to get the next hop's beta with its filler. */
export function xorBeta(suite: CryptoSuite, keys: HopKeys, data: Uint8Array): Uint8Array {
  return xorStream(suite, keys.streamKey, BETA_NONCE, data);
}

/** delta XOR keystream (nonce 1): adds or removes this hop's payload layer. */
export function xorDelta(suite: CryptoSuite, keys: HopKeys, data: Uint8Array): Uint8Array {
  return xorStream(suite, keys.streamKey, DELTA_NONCE, data);
}

/** gamma over beta and delta: a changed byte anywhere in the packet fails at the next hop that reads it. */
export function hopMac(suite: CryptoSuite, keys: HopKeys, beta: Uint8Array, delta: Uint8Array): Uint8Array {
  return suite.hmacSha256(keys.macKey, concatBytes(beta, delta)).subarray(0, ONION_MAC_BYTES);
}
