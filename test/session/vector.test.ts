/**
 * The exact bytes of a sealed 5-byte text (test/vectors/envelope-direct-text5.txt),
 * checked two ways: through the protocol code with the portable suite, and by
 * an independent re-derivation of the key schedule with node:crypto.
 */
import { createCipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { dualKeyPairFromSecrets, encryptionKeyPairFromSecret, lookupKeyPairFromSecret } from '../../protocol/keys/keys.ts';
import { Session } from '../../protocol/session/session.ts';
import { expectOk, suite, textOf } from './helpers.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';

function readVector(): Record<string, string> {
  const text = readFileSync(new URL('../vectors/envelope-direct-text5.txt', import.meta.url), 'utf8');
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9.-]+)\s*=\s*([0-9a-f]+)/.exec(line.replace(/#.*/, '').trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

const v = readVector();
const b = (name: string): Uint8Array => {
  const value = v[name];
  if (value === undefined) throw new Error(`vector lacks ${name}`);
  return fromHex(value)!;
};

function sides() {
  const alice = {
    contact: dualKeyPairFromSecrets(suite, 'contact', b('alice.ckp.signing-seed'), b('alice.ckp.agreement-secret')),
    encryption: encryptionKeyPairFromSecret(suite, b('alice.ekp.secret')),
    lookup: lookupKeyPairFromSecret(suite, b('alice.lkp.seed')),
  };
  const bob = {
    contact: dualKeyPairFromSecrets(suite, 'contact', b('bob.ckp.signing-seed'), b('bob.ckp.agreement-secret')),
    encryption: encryptionKeyPairFromSecret(suite, b('bob.ekp.secret')),
    lookup: lookupKeyPairFromSecret(suite, b('bob.lkp.seed')),
  };
  return { alice, bob };
}

describe('vector: sealed 5-byte text', () => {
  it('the protocol code produces the exact envelope and Bob opens it', () => {
    const { alice, bob } = sides();
    expect(toHex(alice.contact.publicKey.agreement)).toBe(v['alice.ckp.agreement']);
    expect(toHex(bob.lookup.publicKey)).toBe(v['bob.lkp.public']);
    const a = Session.create(suite, {
      myContact: alice.contact, myEncryption: alice.encryption, myLookup: alice.lookup,
      theirContact: bob.contact.publicKey, theirEncryption: bob.encryption.publicKey, theirLookup: bob.lookup.publicKey,
    }, new SeededRandom('healing-keys'));
    const bb = Session.create(suite, {
      myContact: bob.contact, myEncryption: bob.encryption, myLookup: bob.lookup,
      theirContact: alice.contact.publicKey, theirEncryption: alice.encryption.publicKey, theirLookup: alice.lookup.publicKey,
    }, new SeededRandom('healing-keys'));
    expect(toHex(a.exportState().current.root)).toBe(v.root0);
    const env = a.sealText(new TextDecoder().decode(b('text'))).envelope;
    expect(toHex(env)).toBe(v.envelope);
    expect(env.length).toBe(32);
    expect(textOf(expectOk(bb.open(env, 0)))).toBe('hello');
  });

  it('an independent node:crypto derivation gives the same intermediate values and bytes', () => {
    const X_PRIV = Buffer.from('302e020100300506032b656e04220420', 'hex'); // PKCS#8 prefix, RFC 8410
    const X_PUB = Buffer.from('302a300506032b656e032100', 'hex'); // SPKI prefix, RFC 8410
    const dh = (secret: Uint8Array, pub: Uint8Array) => new Uint8Array(diffieHellman({
      privateKey: createPrivateKey({ key: Buffer.concat([X_PRIV, secret]), format: 'der', type: 'pkcs8' }),
      publicKey: createPublicKey({ key: Buffer.concat([X_PUB, pub]), format: 'der', type: 'spki' }),
    }));
    const pairwise = dh(b('alice.ckp.agreement-secret'), b('bob.ckp.agreement'));
    const ee = dh(b('alice.ekp.secret'), b('bob.ekp.public'));
    expect(toHex(pairwise)).toBe(v.pairwise);
    expect(toHex(ee)).toBe(v.ee);
    const info = Buffer.concat([b('bob.ckp.signing'), b('bob.ckp.agreement'), b('alice.ckp.signing'), b('alice.ckp.agreement'), b('bob.ekp.public'), b('alice.ekp.public')]);
    const root = Buffer.from(hkdfSync('sha256', Buffer.concat([pairwise, ee]), Buffer.from('meow/session/v1/root0'), info, 32));
    expect(root.toString('hex')).toBe(v.root0);
    const okm = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), Buffer.from('meow/session/v1/epoch'), 192));
    expect(okm.subarray(0, 32).toString('hex')).toBe(v['key.low-to-high']);
    expect(okm.subarray(32, 64).toString('hex')).toBe(v['key.high-to-low']);
    expect(okm.subarray(128, 160).toString('hex')).toBe(v['header-key.low-to-high']);
    expect(okm.subarray(160, 192).toString('hex')).toBe(v['header-key.high-to-low']);
    const tag = createHash('sha256').update('meow/relay/v1/mailbox-tag').update(b('bob.lkp.public')).digest().subarray(0, 6);
    expect(tag.toString('hex')).toBe(v['mailbox-tag']);
    const header = Buffer.concat([Buffer.from([0x11]), tag, Buffer.from([0, 0, 0])]);
    const cipher = createCipheriv('chacha20-poly1305', okm.subarray(32, 64), b('nonce'), { authTagLength: 16 });
    cipher.setAAD(header, { plaintextLength: 6 });
    const sealed = Buffer.concat([cipher.update(b('plaintext')), cipher.final(), cipher.getAuthTag()]);
    expect(header.toString('hex')).toBe(v.aad);
    expect(sealed.toString('hex')).toBe(v.sealed);
    const mask = createHmac('sha256', okm.subarray(160, 192)).update(sealed.subarray(0, 16)).digest().subarray(0, 3);
    expect(mask.toString('hex')).toBe(v['counter-mask']);
    const wire = Buffer.concat([header, sealed]);
    for (let i = 0; i < 3; i++) wire[7 + i] = wire[7 + i]! ^ mask[i]!;
    expect(wire.toString('hex')).toBe(v.envelope);
  });
});

describe('mailbox tag and the relay', () => {
  it('the envelope tag is the first 6 bytes of the relay mailbox tag of the same Lkp', async () => {
    const { mailboxTagOf } = await import('../../protocol/server/mailbox.ts');
    const { mailboxTag } = await import('../../protocol/session/key-schedule.ts');
    const lkp = b('bob.lkp.public');
    expect(toHex(mailboxTag(suite, lkp))).toBe(toHex(mailboxTagOf(suite, lkp).subarray(0, 6)));
  });
});
