/**
 * A key file read from disk is hostile input too: mutated files must only
 * ever be refused with a KeystoreError (never a TypeError from a missing
 * field, never a huge allocation), or open to the original payload.
 */
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { generateUserKeyPair } from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { KeystoreError } from '../../node-runtime/keystore/errors.ts';
import { openKeyFile, sealKeyFile } from '../../node-runtime/keystore/sealed-file.ts';
import { FuzzRandom, mutateText, randomText } from '../card/fuzz-tools.ts';

const suite = createNodeSuite();
const random = new SeededRandom('keystore-fuzz');
const ukp = generateUserKeyPair(suite, random);
const payload = utf8('{"version":1,"secret":"x"}');

async function attempt(text: string, kind: 'identity' | 'contact', unlock: Parameters<typeof openKeyFile>[3]): Promise<string> {
  try {
    const out = await openKeyFile(suite, text, kind, unlock);
    return `opened:${toHex(out)}`;
  } catch (e) {
    if (e instanceof KeystoreError) return e.code;
    throw new Error(`non-keystore error ${(e as Error).name}: ${(e as Error).message} for ${JSON.stringify(text).slice(0, 200)}`);
  }
}

describe('key file reader fuzz', () => {
  it('refuses 20,000 mutated contact files and random texts with typed errors only', async () => {
    const r = new FuzzRandom(7);
    const good = await sealKeyFile(suite, random, 'contact', payload, { kdf: 'ukp', ukp });
    const clear = await sealKeyFile(suite, random, 'contact', payload, { kdf: 'none' });
    const codes = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const fromClear = i % 3 === 0;
      const text = i % 10 === 0 ? randomText(r, 200) : mutateText(r, fromClear ? clear : good);
      const result = await attempt(text, 'contact', { ukp });
      // A sealed file opens only to its own payload; a clear contact file is never accepted.
      if (result.startsWith('opened:')) expect(result).toBe(`opened:${toHex(payload)}`);
      if (fromClear) expect(result.startsWith('opened:')).toBe(false);
      codes.set(result.startsWith('opened:') ? 'opened' : result, (codes.get(result) ?? 0) + 1);
    }
    expect(codes.get('bad-file')).toBeGreaterThan(10_000);
  });

  it('refuses mutated passphrase files (scrypt runs only on well-formed bounded parameters)', async () => {
    const r = new FuzzRandom(8);
    const good = await sealKeyFile(suite, random, 'identity', payload, { kdf: 'scrypt', passphrase: 'pw', params: { logN: 10, r: 1, p: 1 } });
    for (let i = 0; i < 1_000; i++) {
      const result = await attempt(mutateText(r, good), 'identity', { passphrase: 'pw' });
      if (result.startsWith('opened:')) expect(result).toBe(`opened:${toHex(payload)}`);
    }
  });
});
