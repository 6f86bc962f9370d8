/**
 * The node suite's KeyObject cache must not keep a second copy of a secret
 * (issue 9 item 7): once the caller wipes its array, no JavaScript copy of
 * the key is left in the cache, and the wiped array no longer acts as the key.
 * What the cache stores is observed by spying on WeakMap.prototype.set.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

function holdsBytes(value: unknown, secret: Uint8Array, depth = 0): boolean {
  if (value instanceof Uint8Array) {
    return value.length === secret.length && value.every((b, i) => b === secret[i]);
  }
  if (depth > 2 || typeof value !== 'object' || value === null) return false;
  return Object.values(value).some((v) => holdsBytes(v, secret, depth + 1));
}

describe('node suite key cache', () => {
  it('keeps no copy of an X25519 or Ed25519 secret, so wiping the caller\'s array removes the only one', () => {
    const stored: unknown[] = [];
    const set = WeakMap.prototype.set;
    vi.spyOn(WeakMap.prototype, 'set').mockImplementation(function (this: WeakMap<object, unknown>, k: object, v: unknown) {
      stored.push(v);
      return set.call(this, k, v);
    });
    const suite = createNodeSuite();
    const rnd = new SeededRandom('key-cache');
    const secret = rnd.bytes(32);
    const seed = rnd.bytes(32);
    const peer = suite.x25519PublicKey(rnd.bytes(32));
    const before = suite.x25519(secret, peer);
    suite.ed25519Sign(seed, new Uint8Array([1, 2, 3]));
    const secretCopy = secret.slice();
    const seedCopy = seed.slice();
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.some((v) => holdsBytes(v, secretCopy))).toBe(false);
    expect(stored.some((v) => holdsBytes(v, seedCopy))).toBe(false);
    // Wiped, the array no longer stands for the old key.
    secret.fill(0);
    const after = suite.x25519(secret, peer);
    expect(after === undefined || !after.every((b, i) => b === before?.[i])).toBe(true);
  });
});
