/**
 * Shared helpers for the card tests: the annotated vector file, an
 * independent node:crypto oracle (OpenSSL, not the code under test), and
 * fresh card keys from a seed.
 */
import { createHash, createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { CardKeys } from '../../protocol/card/encode.ts';
import {
  generateContactKeyPair, generateEncryptionKeyPair, generateLookupKeyPair,
} from '../../protocol/keys/keys.ts';
import type { RandomSource } from '../../protocol/random.ts';

export interface VectorField {
  readonly name: string;
  readonly hex: string;
}
export interface VectorCard {
  readonly name: string;
  readonly length: number;
  readonly fields: readonly VectorField[];
  readonly bytes: Uint8Array;
}

export function vectorPath(name: string): string {
  return fileURLToPath(new URL(`../vectors/${name}`, import.meta.url));
}

/** Parses test/vectors/card-seeded.txt: "## name (N bytes)" then "field hex  # note" lines. */
export function readCardVectors(): Map<string, VectorCard> {
  const out = new Map<string, VectorCard>();
  let current: { name: string; length: number; fields: VectorField[] } | undefined;
  const flush = (): void => {
    if (!current) return;
    const bytes = fromHex(current.fields.map((f) => f.hex).join(''));
    if (!bytes) throw new Error(`bad hex in vector ${current.name}`);
    out.set(current.name, { ...current, bytes });
  };
  for (const raw of readFileSync(vectorPath('card-seeded.txt'), 'utf8').split('\n')) {
    const header = /^## (\w+) \((\d+) bytes\)$/.exec(raw);
    if (header) {
      flush();
      current = { name: header[1] as string, length: Number(header[2]), fields: [] };
      continue;
    }
    const line = raw.replace(/#.*$/, '').trim();
    if (!line || !current) continue;
    const [name, hex] = line.split(/\s+/);
    current.fields.push({ name: name as string, hex: hex as string });
  }
  flush();
  return out;
}

export function field(card: VectorCard, name: string): Uint8Array {
  const f = card.fields.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name} in ${card.name}`);
  return fromHex(f.hex) as Uint8Array;
}

// RFC 8410 DER prefixes, for the oracle only.
const ED_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const X_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');

export const oracle = {
  ed25519Public(seed: Uint8Array): Uint8Array {
    const key = createPublicKey(createPrivateKey({ key: Buffer.concat([ED_PKCS8, seed]), format: 'der', type: 'pkcs8' }));
    return new Uint8Array(key.export({ format: 'der', type: 'spki' }).subarray(12));
  },
  x25519Public(secret: Uint8Array): Uint8Array {
    const key = createPublicKey(createPrivateKey({ key: Buffer.concat([X_PKCS8, secret]), format: 'der', type: 'pkcs8' }));
    return new Uint8Array(key.export({ format: 'der', type: 'spki' }).subarray(12));
  },
  ed25519Verify(pub: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const key = createPublicKey({ key: Buffer.concat([ED_SPKI, pub]), format: 'der', type: 'spki' });
    return verify(null, message, key, signature);
  },
  sha256(...parts: Uint8Array[]): Uint8Array {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  },
};

/** Fresh Ckp, Ekp and Lkp for one card, plus the secrets a test may need. */
export function cardKeys(suite: CryptoSuite, random: RandomSource, servers: readonly string[]): CardKeys & {
  lookupSecret: Uint8Array;
} {
  const contact = generateContactKeyPair(suite, random);
  const ekp = generateEncryptionKeyPair(suite, random);
  const lkp = generateLookupKeyPair(suite, random);
  return { contact, encryptionKey: ekp.publicKey, mailboxId: lkp.publicKey, servers, lookupSecret: lkp.secretKey };
}
