/**
 * The sealed key file: a small JSON document whose secret payload is
 * encrypted with XChaCha20-Poly1305 (random 24-byte nonce) under a key
 * derived one of two ways:
 *
 *   scrypt   from a passphrase (RFC 7914; N = 2^17, r = 8, p = 1 by
 *            default: about a second here, DESIGN.md section 5), for the
 *            identity (Ukp) file;
 *   ukp      HKDF-SHA-256 from the unlocked Ukp secrets, for contact
 *            files: "the Ukp encrypts local data" (whitepaper section 2),
 *            so opening a contact needs the identity file and its
 *            passphrase, and costs no second scrypt run.
 *   none     (--no-passphrase, unattended nodes) the payload is stored in
 *            clear; the CLI warns.
 *
 *   {
 *     "meow": "keystore", "version": 1, "kind": "identity" | "contact",
 *     "protection": {"kdf":"scrypt","logN":17,"r":8,"p":1,"salt":"<b64>"}
 *                 | {"kdf":"ukp","ukp":"<8-byte key id, hex>","salt":"<b64>"}
 *                 | {"kdf":"none"},
 *     "nonce": "<b64, 24 bytes>",          (absent for "none")
 *     "data": "<b64: ciphertext || tag, or the clear payload>"
 *   }
 *
 * The AEAD's associated data is the JSON of [meow, version, kind,
 * protection]: a file whose kind or KDF parameters were edited (say, to a
 * cheaper N) no longer opens. Reading is strict and bounded: size, every
 * field's type, and scrypt parameters within limits so that a hostile file
 * cannot make us allocate gigabytes.
 */
import { scrypt as scryptCallback } from 'node:crypto';
import { promisify } from 'node:util';
import { base64 } from '@scure/base';
import { concatBytes, toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { KEY_BYTES, XAEAD_NONCE_BYTES, type CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { UserKeyPair } from '../../protocol/keys/keys.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { KeystoreError } from './errors.ts';

const scrypt = promisify(scryptCallback) as (
  password: Uint8Array, salt: Uint8Array, keylen: number, options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

export type KeyFileKind = 'identity' | 'contact';

export interface ScryptParams {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

/** DESIGN.md section 5: N = 2^17, r = 8, p = 1 (128 MiB, about a second). */
export const DEFAULT_SCRYPT: ScryptParams = { logN: 17, r: 8, p: 1 };
export const SCRYPT_MAXMEM_BYTES = 256 * 1024 * 1024;
/** Bounds accepted when reading (tests write files with logN = 10). */
const SCRYPT_LOG_N_RANGE = { min: 10, max: 20 } as const;
const SCRYPT_R_MAX = 16;
const SCRYPT_P_MAX = 4;
const SALT_BYTES = 32;
const MAX_FILE_CHARS = 64 * 1024;
const UKP_HKDF_INFO = utf8('meow-keystore-contact-v1');

export type SealWith =
  | { readonly kdf: 'scrypt'; readonly passphrase: string; readonly params?: ScryptParams }
  | { readonly kdf: 'ukp'; readonly ukp: UserKeyPair }
  | { readonly kdf: 'none' };

export type OpenWith = { readonly passphrase?: string; readonly ukp?: UserKeyPair };

type Protection =
  | { kdf: 'scrypt'; logN: number; r: number; p: number; salt: string }
  | { kdf: 'ukp'; ukp: string; salt: string }
  | { kdf: 'none' };

interface FileDocument {
  meow: 'keystore';
  version: 1;
  kind: KeyFileKind;
  protection: Protection;
  nonce?: string;
  data: string;
}

/** An 8-byte id naming the Ukp a contact file belongs to (a clear error for the wrong identity). */
export function ukpKeyId(suite: CryptoSuite, ukp: UserKeyPair): string {
  return toHex(suite.sha256(concatBytes(utf8('meow-keystore-ukp-id'), ukp.publicKey.signing)).slice(0, 8));
}

async function scryptKey(passphrase: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  // NFC so that the same passphrase typed on two keyboards gives the same key.
  const password = utf8(passphrase.normalize('NFC'));
  const N = 2 ** params.logN;
  return new Uint8Array(await scrypt(password, salt, KEY_BYTES, { N, r: params.r, p: params.p, maxmem: SCRYPT_MAXMEM_BYTES }));
}

function ukpKey(suite: CryptoSuite, ukp: UserKeyPair, salt: Uint8Array): Uint8Array {
  return suite.hkdf(concatBytes(ukp.signingSecret, ukp.agreementSecret), salt, UKP_HKDF_INFO, KEY_BYTES);
}

function associatedData(doc: Pick<FileDocument, 'meow' | 'version' | 'kind' | 'protection'>): Uint8Array {
  return utf8(JSON.stringify([doc.meow, doc.version, doc.kind, doc.protection]));
}

export async function sealKeyFile(
  suite: CryptoSuite, random: RandomSource, kind: KeyFileKind, payload: Uint8Array, seal: SealWith,
): Promise<string> {
  let protection: Protection;
  let key: Uint8Array | undefined;
  if (seal.kdf === 'none') {
    protection = { kdf: 'none' };
  } else if (seal.kdf === 'scrypt') {
    if (seal.passphrase === '') throw new KeystoreError('no-passphrase', 'an empty passphrase protects nothing');
    const params = seal.params ?? DEFAULT_SCRYPT;
    const salt = random.bytes(SALT_BYTES);
    protection = { kdf: 'scrypt', logN: params.logN, r: params.r, p: params.p, salt: base64.encode(salt) };
    key = await scryptKey(seal.passphrase, salt, params);
  } else {
    const salt = random.bytes(SALT_BYTES);
    protection = { kdf: 'ukp', ukp: ukpKeyId(suite, seal.ukp), salt: base64.encode(salt) };
    key = ukpKey(suite, seal.ukp, salt);
  }
  const doc: FileDocument = { meow: 'keystore', version: 1, kind, protection, data: '' };
  if (key) {
    const nonce = random.bytes(XAEAD_NONCE_BYTES);
    doc.nonce = base64.encode(nonce);
    doc.data = base64.encode(suite.xaeadSeal(key, nonce, payload, associatedData(doc)));
    key.fill(0);
  } else {
    doc.data = base64.encode(payload);
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function bad(message: string): KeystoreError {
  return new KeystoreError('bad-file', `not a valid Meow key file: ${message}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

function b64(v: unknown, what: string, length?: number): Uint8Array {
  if (typeof v !== 'string') throw bad(`${what} missing`);
  let out: Uint8Array;
  try {
    out = base64.decode(v);
  } catch {
    throw bad(`${what} is not base64`);
  }
  if (length !== undefined && out.length !== length) throw bad(`${what} must be ${length} bytes`);
  return out;
}

function parseProtection(v: unknown): Protection {
  if (!isObject(v)) throw bad('protection missing');
  if (v.kdf === 'none' && Object.keys(v).length === 1) return { kdf: 'none' };
  const keys = Object.keys(v).sort().join(',');
  if (v.kdf === 'scrypt' && keys === 'kdf,logN,p,r,salt') {
    const { logN, r, p, salt } = v;
    if (!isInt(logN, SCRYPT_LOG_N_RANGE.min, SCRYPT_LOG_N_RANGE.max) || !isInt(r, 1, SCRYPT_R_MAX) || !isInt(p, 1, SCRYPT_P_MAX)) {
      throw bad('scrypt parameters out of bounds');
    }
    if (128 * 2 ** logN * r > SCRYPT_MAXMEM_BYTES) throw bad('scrypt parameters need too much memory');
    b64(salt, 'salt', SALT_BYTES);
    return { kdf: 'scrypt', logN, r, p, salt: salt as string };
  }
  if (v.kdf === 'ukp' && keys === 'kdf,salt,ukp') {
    if (typeof v.ukp !== 'string' || !/^[0-9a-f]{16}$/.test(v.ukp)) throw bad('ukp key id malformed');
    b64(v.salt, 'salt', SALT_BYTES);
    return { kdf: 'ukp', ukp: v.ukp, salt: v.salt as string };
  }
  throw bad('unknown protection');
}

/** Opens a sealed file and returns its payload; throws KeystoreError with a clear code. */
export async function openKeyFile(
  suite: CryptoSuite, text: string, kind: KeyFileKind, unlock: OpenWith,
): Promise<Uint8Array> {
  if (text.length > MAX_FILE_CHARS) throw bad('file too large');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!isObject(doc) || doc.meow !== 'keystore') throw bad('missing "meow": "keystore"');
  if (doc.version !== 1) throw bad(`unsupported version ${String(doc.version)}`);
  if (doc.kind !== 'identity' && doc.kind !== 'contact') throw bad('unknown kind');
  if (doc.kind !== kind) throw new KeystoreError('wrong-kind', `expected a ${kind} file, this is a ${doc.kind} file`);
  const protection = parseProtection(doc.protection);
  // Contact files are always sealed under the identity: accepting a clear one would let anyone who can
  // write to the directory plant a contact with keys of their choosing. Identities never use "ukp".
  if ((kind === 'contact') !== (protection.kdf === 'ukp')) throw bad(`a ${kind} file cannot use kdf "${protection.kdf}"`);
  const data = b64(doc.data, 'data');
  if (protection.kdf === 'none') return data;

  const nonce = b64(doc.nonce, 'nonce', XAEAD_NONCE_BYTES);
  const salt = b64(protection.salt, 'salt', SALT_BYTES);
  let key: Uint8Array;
  if (protection.kdf === 'scrypt') {
    if (unlock.passphrase === undefined) throw new KeystoreError('passphrase-needed', 'this key file is encrypted: give its passphrase');
    key = await scryptKey(unlock.passphrase, salt, protection);
  } else {
    if (!unlock.ukp) throw new KeystoreError('passphrase-needed', 'this contact file opens with its identity (--keys)');
    if (ukpKeyId(suite, unlock.ukp) !== protection.ukp) {
      throw new KeystoreError('wrong-identity', 'this contact file belongs to another identity');
    }
    key = ukpKey(suite, unlock.ukp, salt);
  }
  const payload = suite.xaeadOpen(key, nonce, data, associatedData({ meow: 'keystore', version: 1, kind, protection }));
  key.fill(0);
  if (!payload) {
    throw protection.kdf === 'scrypt'
      ? new KeystoreError('wrong-passphrase', 'wrong passphrase (or the key file was altered)')
      : new KeystoreError('bad-file', 'the contact file does not authenticate: it was altered or damaged');
  }
  return payload;
}
