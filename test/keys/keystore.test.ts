import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import {
  generateContactKeyPair, generateEncryptionKeyPair, generateLookupKeyPair, generateUserKeyPair,
} from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { writeFileAtomic } from '../../node-runtime/keystore/atomic-write.ts';
import { readContactFile, writeContactFile } from '../../node-runtime/keystore/contact-file.ts';
import { KeystoreError } from '../../node-runtime/keystore/errors.ts';
import { readIdentityFile, writeIdentityFile } from '../../node-runtime/keystore/identity-file.ts';
import { resolvePassphrase } from '../../node-runtime/keystore/passphrase.ts';
import { DEFAULT_SCRYPT } from '../../node-runtime/keystore/sealed-file.ts';

const suite = createNodeSuite();
const random = new SeededRandom('keystore');
const fast = { logN: 10, r: 8, p: 1 };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meow-keystore-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof KeystoreError ? `${e.name}:${e.code}` : `other:${(e as Error).message}`;
  }
}

describe('identity file', () => {
  const ukp = generateUserKeyPair(suite, random);

  it('round trips under a passphrase, mode 0600, with no secret in clear', async () => {
    const path = join(dir, 'id-1.json');
    await writeIdentityFile(suite, random, path, ukp, { passphrase: 'correct horse', scrypt: fast });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(toHex(ukp.signingSecret));
    expect(JSON.parse(text)).toMatchObject({ meow: 'keystore', version: 1, kind: 'identity', protection: { kdf: 'scrypt', logN: 10, r: 8, p: 1 } });
    const back = await readIdentityFile(suite, path, 'correct horse');
    expect(toHex(back.signingSecret)).toBe(toHex(ukp.signingSecret));
    expect(toHex(back.agreementSecret)).toBe(toHex(ukp.agreementSecret));
    expect(JSON.stringify(back)).not.toContain(toHex(ukp.signingSecret));
  });

  it('refuses a wrong passphrase, a missing one, and edited parameters', async () => {
    const path = join(dir, 'id-2.json');
    await writeIdentityFile(suite, random, path, ukp, { passphrase: 'pw', scrypt: fast });
    expect(await codeOf(readIdentityFile(suite, path, 'PW'))).toBe('KeystoreError:wrong-passphrase');
    expect(await codeOf(readIdentityFile(suite, path, undefined))).toBe('KeystoreError:passphrase-needed');
    const doc = JSON.parse(await readFile(path, 'utf8'));
    const edited = join(dir, 'id-2-edited.json');
    // A cheaper N no longer opens (the header is bound as associated data).
    await writeFile(edited, JSON.stringify({ ...doc, protection: { ...doc.protection, logN: 11 } }));
    expect(await codeOf(readIdentityFile(suite, edited, 'pw'))).toBe('KeystoreError:wrong-passphrase');
    // A hostile N (2^30 would need 128 GiB) is refused before any scrypt run.
    await writeFile(edited, JSON.stringify({ ...doc, protection: { ...doc.protection, logN: 30 } }));
    expect(await codeOf(readIdentityFile(suite, edited, 'pw'))).toBe('KeystoreError:bad-file');
    await writeFile(edited, JSON.stringify({ ...doc, kind: 'contact' }));
    expect(await codeOf(readIdentityFile(suite, edited, 'pw'))).toBe('KeystoreError:wrong-kind');
    await writeFile(edited, JSON.stringify({ ...doc, protection: { ...doc.protection, extra: 1 } }));
    expect(await codeOf(readIdentityFile(suite, edited, 'pw'))).toBe('KeystoreError:bad-file');
    await writeFile(edited, '{"meow": "keystore"');
    expect(await codeOf(readIdentityFile(suite, edited, 'pw'))).toBe('KeystoreError:bad-file');
  });

  it('uses scrypt N = 2^17, r = 8, p = 1 by default, within maxmem', async () => {
    expect(DEFAULT_SCRYPT).toEqual({ logN: 17, r: 8, p: 1 });
    const path = join(dir, 'id-default.json');
    await writeIdentityFile(suite, random, path, ukp, { passphrase: 'pw' });
    expect(JSON.parse(await readFile(path, 'utf8')).protection.logN).toBe(17);
    expect(toHex((await readIdentityFile(suite, path, 'pw')).signingSecret)).toBe(toHex(ukp.signingSecret));
  });

  it('stores in clear with no passphrase (unattended node)', async () => {
    const path = join(dir, 'id-clear.json');
    await writeIdentityFile(suite, random, path, ukp, { passphrase: undefined });
    expect(JSON.parse(await readFile(path, 'utf8')).protection).toEqual({ kdf: 'none' });
    expect(toHex((await readIdentityFile(suite, path, undefined)).signingSecret)).toBe(toHex(ukp.signingSecret));
  });

  it('never overwrites an identity unless asked', async () => {
    const path = join(dir, 'id-1.json');
    expect(await codeOf(writeIdentityFile(suite, random, path, ukp, { passphrase: 'x', scrypt: fast }))).toBe('KeystoreError:exists');
    expect(await codeOf(readIdentityFile(suite, path, 'correct horse'))).toBe('resolved');
  });
});

describe('atomic write', () => {
  it('writes 0600 even from a wide umask, replaces only when asked, and leaves no temporary file', async () => {
    const sub = await mkdtemp(join(dir, 'atomic-'));
    const path = join(sub, 'f');
    const old = process.umask(0);
    try {
      await writeFileAtomic(path, 'one');
    } finally {
      process.umask(old);
    }
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await codeOf(writeFileAtomic(path, 'two'))).toBe('KeystoreError:exists');
    expect(await readFile(path, 'utf8')).toBe('one');
    await writeFileAtomic(path, 'three', { overwrite: true });
    expect(await readFile(path, 'utf8')).toBe('three');
    expect(await readdir(sub)).toEqual(['f']);
  });
});

describe('contact file', () => {
  const ukp = generateUserKeyPair(suite, random);
  const state = {
    role: 'inviter' as const,
    contact: generateContactKeyPair(suite, random),
    encryption: generateEncryptionKeyPair(suite, random),
    lookup: generateLookupKeyPair(suite, random),
    myCard: new Uint8Array([1, 2, 3]),
  };

  it('round trips under the identity and redacts itself', async () => {
    const path = join(dir, 'c.contact');
    await writeContactFile(suite, random, path, state, ukp);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(toHex(state.lookup.secretKey));
    const back = await readContactFile(suite, path, ukp);
    expect(toHex(back.contact.signingSecret)).toBe(toHex(state.contact.signingSecret));
    expect(toHex(back.encryption.secretKey)).toBe(toHex(state.encryption.secretKey));
    expect(toHex(back.lookup.publicKey)).toBe(toHex(state.lookup.publicKey));
    expect(back.myCard).toEqual(state.myCard);
    expect(back.peerCard).toBeUndefined();
    expect(JSON.stringify(back)).not.toContain(toHex(state.contact.signingSecret));
    expect(inspect(back)).not.toContain(toHex(state.contact.signingSecret));
    await writeContactFile(suite, random, path, { ...back, peerCard: new Uint8Array([9]) }, ukp, { overwrite: true });
    expect((await readContactFile(suite, path, ukp)).peerCard).toEqual(new Uint8Array([9]));
  });

  it('refuses another identity and a tampered file', async () => {
    const path = join(dir, 'c2.contact');
    await writeContactFile(suite, random, path, state, ukp);
    expect(await codeOf(readContactFile(suite, path, generateUserKeyPair(suite, random)))).toBe('KeystoreError:wrong-identity');
    const doc = JSON.parse(await readFile(path, 'utf8'));
    const data = Buffer.from(doc.data, 'base64');
    data[0]! ^= 1;
    await writeFile(path, JSON.stringify({ ...doc, data: data.toString('base64') }));
    expect(await codeOf(readContactFile(suite, path, ukp))).toBe('KeystoreError:bad-file');
    // A planted contact file in clear is refused (only the identity's key may seal contacts).
    await writeFile(path, JSON.stringify({ meow: 'keystore', version: 1, kind: 'contact', protection: { kdf: 'none' }, data: doc.data }));
    expect(await codeOf(readContactFile(suite, path, ukp))).toBe('KeystoreError:bad-file');
  });
});

describe('passphrase sources', () => {
  it('reads a file (one trailing newline dropped), then the environment, and refuses none', async () => {
    const file = join(dir, 'pass');
    await writeFile(file, 'secret words\n');
    expect(await resolvePassphrase({ passphraseFile: file, env: { MEOW_PASSPHRASE: 'env' } })).toBe('secret words');
    expect(await resolvePassphrase({ env: { MEOW_PASSPHRASE: 'env' } })).toBe('env');
    expect(await resolvePassphrase({ noPassphrase: true, env: {} })).toBeUndefined();
    expect(await codeOf(resolvePassphrase({ env: {} }))).toBe('KeystoreError:no-passphrase');
    expect(await codeOf(resolvePassphrase({ env: { MEOW_PASSPHRASE: '' } }))).toBe('KeystoreError:no-passphrase');
    expect(await codeOf(resolvePassphrase({ passphraseFile: file, noPassphrase: true, env: {} }))).toBe('KeystoreError:no-passphrase');
    await writeFile(file, '\n');
    expect(await codeOf(resolvePassphrase({ passphraseFile: file, env: {} }))).toBe('KeystoreError:no-passphrase');
  });
});
