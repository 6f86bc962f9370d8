/**
 * The two PasswordKdf implementations: RFC 7914's vectors (data file with
 * its source), a differential test (same bytes for any input, small N), and
 * the real cost N = 2^17 once.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createNobleScryptKdf } from '../../../agent/vault/noble-scrypt-kdf.ts';
import { VAULT_SCRYPT_COST } from '../../../agent/vault/password-kdf.ts';
import { createNodeScryptKdf } from '../../../node-runtime/platform/scrypt-kdf.ts';
import { fromHex, utf8 } from '../../../protocol/codec/bytes.ts';

interface Vector { name: string; password: string; salt: string; logN: number; r: number; p: number; dkLen: number; dk: string }
const vectors = (JSON.parse(readFileSync(new URL('./rfc7914-scrypt-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] }).vectors;

describe('PasswordKdf', () => {
  it.each(vectors)('$name: both implementations give the RFC bytes (first 32 of dkLen 64: PBKDF2 output is a prefix)', async (v) => {
    const expected = fromHex(v.dk)?.subarray(0, 32);
    for (const kdf of [createNodeScryptKdf(v), createNobleScryptKdf(v)]) {
      expect(await kdf.derive(utf8(v.password), utf8(v.salt))).toEqual(expected);
    }
  });

  it('Node and portable implementations agree on any password and salt (small N)', async () => {
    const cost = { logN: 4, r: 8, p: 1 };
    const node = createNodeScryptKdf(cost);
    const noble = createNobleScryptKdf(cost);
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), async (password, salt) => {
      expect(await node.derive(password, salt)).toEqual(await noble.derive(password, salt));
    }), { numRuns: 50 });
  });

  it('runs at the real cost N = 2^17, r = 8, p = 1 within the 256 MiB memory limit', async () => {
    expect(VAULT_SCRYPT_COST).toEqual({ logN: 17, r: 8, p: 1 });
    // Expected bytes from Python's hashlib.scrypt (OpenSSL), an implementation independent of both of ours.
    const key = await createNodeScryptKdf().derive(utf8('correct horse battery staple'), Uint8Array.from({ length: 32 }, (_, i) => i));
    expect(key).toEqual(fromHex('55ec668cdcdcadc65ef8bc3635501a2078128ba78c6ee090a6a9ea1231ee42eb'));
  }, 30_000);

  it('refuses a cost beyond the memory limit with a typed error', async () => {
    await expect(createNodeScryptKdf({ logN: 22, r: 8, p: 1 }).derive(utf8('x'), utf8('salt'))).rejects.toMatchObject({ name: 'VaultError', code: 'bad-argument' });
  });
});
