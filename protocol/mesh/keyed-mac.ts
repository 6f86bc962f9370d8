/**
 * HMAC-SHA-256 under a mesh key, truncated to its first 4 bytes, for the
 * frame id, message key and ack proof (frame-auth.ts). Every relay computes
 * it for every frame it passes on, so the key's inner and outer pads are
 * hashed once per key (one reusable HMAC instance, its keyed states saved)
 * instead of once per frame, and the input is fed in its parts without
 * being copied into a new array. The bytes are HMAC-SHA-256's (RFC 2104),
 * the same as CryptoSuite.hmacSha256: frame ids are on the wire.
 *
 * Pure JavaScript on purpose: node:crypto has no one-shot HMAC and no
 * reusable keyed object (createHmac is one object per message), and
 * protocol code must not import node: modules. Synchronous and
 * single-threaded: the scratch buffers below are never shared across an
 * await.
 */
import { HMAC } from '@stablelib/hmac';
import { SHA256 } from '@stablelib/sha256';

interface Keyed {
  /** A copy of the key, so that a caller mutating its array after the first use gets a fresh instance, not a stale MAC. */
  readonly key: Uint8Array;
  readonly mac: HMAC;
}

const byKey = new WeakMap<Uint8Array, Keyed>();
const out = new Uint8Array(32);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The reusable HMAC for this key, reset to its keyed state. */
function keyed(key: Uint8Array): HMAC {
  let k = byKey.get(key);
  if (k === undefined || !sameBytes(k.key, key)) {
    k = { key: key.slice(), mac: new HMAC(SHA256, key) };
    byKey.set(key, k);
  }
  return k.mac.reset();
}

/**
 * The first 4 bytes of HMAC-SHA-256(key, parts[0] || parts[1] || ...) as
 * an unsigned big-endian integer.
 */
export function mac32(key: Uint8Array, a: Uint8Array, b: Uint8Array, c?: Uint8Array): number {
  const mac = keyed(key).update(a).update(b);
  if (c !== undefined) mac.update(c);
  mac.finish(out);
  const v = ((out[0] as number) << 24) | ((out[1] as number) << 16) | ((out[2] as number) << 8) | (out[3] as number);
  return v >>> 0;
}
