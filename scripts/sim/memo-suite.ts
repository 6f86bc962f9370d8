/**
 * The simulator's crypto suite: the node suite with its pure public-key
 * operations remembered. In a simulated mesh the same announce (same key,
 * same bytes, same signature) is verified by every node that hears a copy,
 * and the same pair of keys meets again at every announce; each answer is a
 * pure function of its inputs, so remembering it changes no result, only
 * the time a 1000-node run takes (docs/BENCHMARKS.md, "The simulator's
 * speed"). Only for simulations: a real node holds few keys and its secrets
 * must not linger in a table.
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';

/** Entries per table before it is emptied (a 1000-node hour holds tens of thousands). */
const MAX_ENTRIES = 500_000;

function keyOf(...parts: Uint8Array[]): string {
  let s = '';
  for (const p of parts) s += Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('latin1') + '\u0100';
  return s;
}

function remembered<R>(table: Map<string, R>, key: string, compute: () => R): R {
  let v = table.get(key);
  if (v === undefined && !table.has(key)) {
    v = compute();
    if (table.size >= MAX_ENTRIES) table.clear();
    table.set(key, v);
  }
  return v as R;
}

/** A copy, so a caller that wipes or changes the bytes it got does not change what is remembered. */
function copied(v: Uint8Array | undefined): Uint8Array | undefined {
  return v === undefined ? undefined : v.slice();
}

export function memoizedSuite(inner: CryptoSuite): CryptoSuite {
  const verified = new Map<string, boolean>();
  const shared = new Map<string, Uint8Array | undefined>();
  const edPublic = new Map<string, Uint8Array>();
  const xPublic = new Map<string, Uint8Array>();
  return {
    ...inner,
    name: `${inner.name}+memo`,
    x25519PublicKey: (secret) => copied(remembered(xPublic, keyOf(secret), () => inner.x25519PublicKey(secret)))!,
    // Diffie-Hellman is symmetric: x25519(a, B) = x25519(b, A) where A and B are the public keys of a and b, so the
    // two ends of a pair share one entry, keyed by the two public keys in order (equal public keys mean equal
    // clamped scalars, so every pair of inputs that meets the same key has the same answer).
    x25519: (secret, pub) => {
      const mine = remembered(xPublic, keyOf(secret), () => inner.x25519PublicKey(secret));
      const [lo, hi] = Buffer.compare(mine, pub) <= 0 ? [mine, pub] : [pub, mine];
      return copied(remembered(shared, keyOf(lo, hi), () => inner.x25519(secret, pub)));
    },
    ed25519PublicKey: (seed) => copied(remembered(edPublic, keyOf(seed), () => inner.ed25519PublicKey(seed)))!,
    ed25519Verify: (pub, message, signature) => remembered(verified, keyOf(pub, message, signature), () => inner.ed25519Verify(pub, message, signature)),
  };
}
