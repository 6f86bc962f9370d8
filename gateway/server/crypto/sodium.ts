/**
 * libsodium (through the sodium-native binding) for the relay's hot path,
 * when it loads. sodium-native ships prebuilt binaries for linux-x64 and
 * linux-arm64 among others but not for 32-bit ARM, so a relay on such a
 * board gets `undefined` here and keeps the node:crypto suite.
 *
 * Only the functions the relay uses are typed here (the package has no
 * types of its own). Every one writes into a caller-provided buffer.
 */
import { createRequire } from 'node:module';

export interface SodiumBinding {
  /** RFC 7748 X25519; throws when libsodium refuses (an all-zero shared secret from a low-order point). */
  crypto_scalarmult(out: Uint8Array, secret: Uint8Array, publicKey: Uint8Array): void;
  /** RFC 8032 Ed25519, strict: refuses small-order and non-canonical keys and R, non-canonical S. */
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** RFC 8439 ChaCha20-Poly1305; returns the plaintext length, throws when the tag does not verify. */
  crypto_aead_chacha20poly1305_ietf_decrypt(
    out: Uint8Array, nsec: null, sealed: Uint8Array, aad: Uint8Array | null, nonce: Uint8Array, key: Uint8Array): number;
  crypto_aead_chacha20poly1305_ietf_encrypt(
    out: Uint8Array, plaintext: Uint8Array, aad: Uint8Array | null, nsec: null, nonce: Uint8Array, key: Uint8Array): number;
  /** XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03). */
  crypto_aead_xchacha20poly1305_ietf_decrypt(
    out: Uint8Array, nsec: null, sealed: Uint8Array, aad: Uint8Array | null, nonce: Uint8Array, key: Uint8Array): number;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
    out: Uint8Array, plaintext: Uint8Array, aad: Uint8Array | null, nsec: null, nonce: Uint8Array, key: Uint8Array): number;
}

/** The binding, or undefined when it does not load on this machine (no prebuilt binary for it). */
export function loadSodium(): SodiumBinding | undefined {
  try {
    return createRequire(import.meta.url)('sodium-native') as SodiumBinding;
  } catch {
    return undefined;
  }
}
