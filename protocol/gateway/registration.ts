/**
 * Gateway registration: a mesh user asks a gateway node to fetch, while the
 * Internet is up, the mail waiting for one of its mailboxes on a relay, and
 * to deliver it over the mesh to the node the user lives on
 * (docs/PROTOCOL.md, "Gateway registration").
 *
 * The gateway needs that mailbox's lookup key (Lkp) to prove the fetch to
 * the relay, so the registration carries it and is sealed to the gateway
 * node's X25519 key. The Lkp signature proves the sender holds the key and
 * binds the registration to this gateway (its Ed25519 key is in the signed
 * bytes), so a registration cannot be replayed to another gateway.
 *
 * Sealed form:
 *   0        32                 56
 *   +--------+------------------+--------------------------------+
 *   | eph 32 | nonce 24         | XChaCha20-Poly1305(body) + 16  |
 *   +--------+------------------+--------------------------------+
 *   key = HKDF-SHA-256(X25519(eph, gatewayX), salt = eph || gatewayX,
 *                      info = "meow/gateway-registration/v1", 32)
 *
 * Body:
 *   +----+--------+-----------+--------+-------------+-----------+-----------+
 *   | v  | urlLen | url (UTF8)| lookup | deliver to  | issued    | expires   |
 *   | 1  | varint | <= 255    | seed 32| node id 8   | varint s  | varint s  |
 *   +----+--------+-----------+--------+-------------+-----------+-----------+
 *
 * `issued` orders registrations of one lookup key: a gateway keeps the
 * newest and refuses an older or equal one, so a recorded registration
 * cannot be replayed over a renewal.
 *   | signature 64: Ed25519 by the Lkp over                              |
 *   |   "meow/gateway-registration/v1" || gateway Ed25519 pub || body    |
 *   +--------------------------------------------------------------------+
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes, fromUtf8, utf8 } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { ByteWriter } from '../codec/writer.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { KEY_BYTES, SIGNATURE_BYTES, XAEAD_NONCE_BYTES } from '../crypto/suite.ts';
import type { DualPublicKey, LookupKeyPair } from '../keys/keys.ts';
import { lookupKeyPairFromSecret } from '../keys/keys.ts';
import type { RandomSource } from '../random.ts';

export const REGISTRATION_VERSION = 1;
const DOMAIN = utf8('meow/gateway-registration/v1');
const URL_MAX_BYTES = 255;
const NODE_ID_BYTES = 8;
/** Bounds the sealed form (a registration fits one 240-byte frame with a short URL). */
export const REGISTRATION_MAX_BYTES = 32 + XAEAD_NONCE_BYTES + 16 + 1 + 2 + URL_MAX_BYTES + KEY_BYTES + NODE_ID_BYTES + 8 + 8 + SIGNATURE_BYTES;

export interface GatewayRegistration {
  /** The relay holding the mailbox (http://, https://, mqtt://, udp://). */
  readonly relayUrl: string;
  /** The mailbox's lookup key on that relay. */
  readonly lookup: LookupKeyPair;
  /** The mesh node (8-byte node id) the gateway delivers the fetched mail to. */
  readonly deliverTo: Uint8Array;
  /** Unix time (s) the user made it; a gateway keeps only the newest per lookup key. */
  readonly issuedAtSec: number;
  /** Unix time (s) after which the gateway forgets the registration and the key. */
  readonly expiresAtSec: number;
}

export function sealRegistration(
  suite: CryptoSuite, random: RandomSource, gateway: DualPublicKey<'device' | 'server' | 'user' | 'contact'>, reg: GatewayRegistration,
): Uint8Array {
  const url = utf8(reg.relayUrl);
  if (url.length === 0 || url.length > URL_MAX_BYTES) throw new RangeError('relay URL must be 1..255 bytes');
  if (reg.deliverTo.length !== NODE_ID_BYTES) throw new RangeError('deliverTo must be an 8-byte node id');
  const body = new ByteWriter(160)
    .u8(REGISTRATION_VERSION).lengthPrefixed(url, URL_MAX_BYTES).fixed(reg.lookup.secretKey, KEY_BYTES)
    .fixed(reg.deliverTo, NODE_ID_BYTES).varint(reg.issuedAtSec).varint(reg.expiresAtSec).finish();
  const signature = suite.ed25519Sign(reg.lookup.secretKey, concatBytes(DOMAIN, gateway.signing, body));
  const ephemeral = random.bytes(KEY_BYTES);
  const ephemeralPublic = suite.x25519PublicKey(ephemeral);
  const key = sealKey(suite, suite.x25519(ephemeral, gateway.agreement), ephemeralPublic, gateway.agreement);
  if (!key) throw new RangeError('gateway agreement key is a low-order point');
  const nonce = random.bytes(XAEAD_NONCE_BYTES);
  return concatBytes(ephemeralPublic, nonce, suite.xaeadSeal(key, nonce, concatBytes(body, signature), DOMAIN));
}

function sealKey(suite: CryptoSuite, shared: Uint8Array | undefined, eph: Uint8Array, gw: Uint8Array): Uint8Array | undefined {
  return shared && suite.hkdf(shared, concatBytes(eph, gw), DOMAIN, KEY_BYTES);
}

export interface GatewaySecrets {
  readonly signingPublic: Uint8Array;
  readonly agreementSecret: Uint8Array;
  readonly agreementPublic: Uint8Array;
}

/** Opens and verifies a registration sealed to this gateway. Never throws on hostile bytes. */
export function openRegistration(suite: CryptoSuite, gateway: GatewaySecrets, sealed: Uint8Array): DecodeResult<GatewayRegistration> {
  if (sealed.length > REGISTRATION_MAX_BYTES) return fail('too-long', 0, `registration of ${sealed.length} bytes exceeds ${REGISTRATION_MAX_BYTES}`);
  const outer = new ByteReader(sealed);
  const eph = outer.bytes(KEY_BYTES, 'ephemeral key');
  const nonce = outer.bytes(XAEAD_NONCE_BYTES, 'nonce');
  const box = outer.rest();
  if (outer.error) return outer.error;
  const key = sealKey(suite, suite.x25519(gateway.agreementSecret, eph), eph, gateway.agreementPublic);
  if (!key) return fail('bad-key', 0, 'ephemeral key is a low-order point');
  const plain = suite.xaeadOpen(key, nonce, box, DOMAIN);
  if (!plain) return fail('bad-mac', KEY_BYTES + XAEAD_NONCE_BYTES, 'registration does not open under this gateway key');
  return decodeRegistrationBody(suite, gateway.signingPublic, plain);
}

/** Parses and verifies the body once the box is open (exported for fuzzing: it sees attacker-chosen bytes only after the MAC, but a sender can seal anything). */
export function decodeRegistrationBody(suite: CryptoSuite, gatewaySigningPublic: Uint8Array, plain: Uint8Array): DecodeResult<GatewayRegistration> {
  const r = new ByteReader(plain);
  const version = r.u8('version');
  if (!r.failed && version !== REGISTRATION_VERSION) return r.reject('bad-version', `registration version ${version}`);
  const urlBytes = r.lengthPrefixed(URL_MAX_BYTES, 'relay URL');
  const lookupSeed = r.copy(KEY_BYTES, 'lookup key');
  const deliverTo = r.copy(NODE_ID_BYTES, 'deliver-to node id');
  const issuedAtSec = r.varint('issue time', 2 ** 40);
  const expiresAtSec = r.varint('expiry', 2 ** 40);
  if (!r.failed && expiresAtSec <= issuedAtSec) return r.reject('bad-value', 'registration expires before it was issued');
  const bodyEnd = r.offset;
  const signature = r.bytes(SIGNATURE_BYTES, 'signature');
  r.end('registration');
  if (r.error) return r.error;
  const relayUrl = fromUtf8(urlBytes);
  if (relayUrl === undefined) return fail('bad-encoding', 1, 'relay URL is not UTF-8');
  if (!URL.canParse(relayUrl)) return fail('bad-value', 1, 'relay URL does not parse');
  const lookup = lookupKeyPairFromSecret(suite, lookupSeed);
  if (!suite.ed25519Verify(lookup.publicKey, concatBytes(DOMAIN, gatewaySigningPublic, plain.subarray(0, bodyEnd)), signature)) {
    return fail('bad-signature', bodyEnd, 'registration not signed by its lookup key for this gateway');
  }
  return ok({ relayUrl, lookup, deliverTo, issuedAtSec, expiresAtSec });
}

/**
 * A gateway is known on the mesh by its announced Ed25519 node key; the
 * registration is sealed to the X25519 form of that key (the birational
 * map of RFC 7748 section 4.1, as libsodium's crypto_sign_ed25519_pk_to_curve25519),
 * so no second key needs announcing. Returns undefined for an invalid key.
 */
export function gatewayAgreementPublic(nodeEd25519Public: Uint8Array): Uint8Array | undefined {
  try {
    return ed25519.utils.toMontgomery(nodeEd25519Public);
  } catch {
    return undefined;
  }
}

/** The gateway's side: X25519 secret matching gatewayAgreementPublic, from its Ed25519 seed. */
export function gatewayAgreementSecret(nodeEd25519Seed: Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomerySecret(nodeEd25519Seed);
}
