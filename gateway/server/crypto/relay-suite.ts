/**
 * The relay's crypto suite: the node suite with one hot path changed.
 * Every sealed request brings a fresh ephemeral X25519 public key, so the
 * node suite's per-array KeyObject cache never hits, and importing a raw
 * key through its SPKI DER form was the largest single cost of a request in
 * the relay profile (OpenSSL 3's DER decoder; 11.6 % of relay CPU under the
 * HTTP bench). Importing the same 32 bytes as a JWK (RFC 8037 OKP key) is
 * about ten times faster. Only *importing* JWK is used: exporting JWK in a
 * loop is what deadlocked Node 20.20.2 (DESIGN.md section 6).
 *
 * Behaviour is unchanged: low-order peer keys still give undefined
 * (differential test in test/gateway/relay/relay-suite.test.ts).
 */
import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { isAllZero } from '../../../protocol/codec/bytes.ts';
import { type CryptoSuite, KEY_BYTES } from '../../../protocol/crypto/suite.ts';

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export function createRelaySuite(base: CryptoSuite): CryptoSuite {
  const secrets = new WeakMap<Uint8Array, KeyObject>();
  const secretKey = (raw: Uint8Array): KeyObject => {
    let k = secrets.get(raw);
    if (!k) {
      k = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
      secrets.set(raw, k);
    }
    return k;
  };
  return {
    ...base,
    name: `${base.name}+relay`,
    x25519(secret, publicKey) {
      if (!(secret instanceof Uint8Array) || secret.length !== KEY_BYTES) throw new TypeError(`X25519 secret key must be ${KEY_BYTES} bytes`);
      if (publicKey.length !== KEY_BYTES) return undefined;
      let shared: Uint8Array;
      try {
        const peer = createPublicKey({
          key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64url') },
          format: 'jwk',
        });
        shared = new Uint8Array(diffieHellman({ privateKey: secretKey(secret), publicKey: peer }));
      } catch {
        // OpenSSL refuses an all-zero shared secret itself (RFC 7748 section 6.1).
        return undefined;
      }
      return isAllZero(shared) ? undefined : shared;
    },
  };
}
