/**
 * Key schedule of a 1:1 conversation (whitepaper 2.2-2.4, DESIGN.md
 * section 3). All derivations are HKDF-SHA-256 (RFC 5869) with labels that
 * start "meow/session/v1/", so no key is ever used for two purposes.
 *
 *   pairwise = X25519(my Ckp, their Ckp)         authenticates: only the two
 *                                                contacts can compute it
 *   ee       = X25519(my Ekp, their Ekp)
 *   root_0   = HKDF(ikm = pairwise || ee, salt = "meow/session/v1/root0",
 *                   info = Ckp(low) || Ckp(high) || Ekp(low) || Ekp(high))
 *
 * Each Ekp rotation is a fresh X25519 exchange mixed into the root chain:
 *   root_n+1 = HKDF(ikm = X25519(new Ekp of the rotating side, current Ekp of
 *                   the other side), salt = root_n,
 *                   info = "meow/session/v1/ratchet" || new pub || other pub)
 * so someone holding root_n but neither of those two secrets cannot follow,
 * and root_n cannot be recovered from root_n+1 (forward secrecy per rotation).
 *
 * Epoch keys: HKDF(root_n, info "meow/session/v1/epoch") -> 192 bytes:
 *   message key low->high, message key high->low, presence key low->high,
 *   presence key high->low, header key low->high, header key high->low
 * "low" is the side whose Ckp X25519 public key sorts first: both sides
 * agree on it without a byte on the wire, and each direction has its own key,
 * so the two sides never use one (key, nonce) pair even with equal counters.
 *
 * Nonce (RFC 8439 section 2.8, 12 bytes) = 9 zero bytes || u24 counter:
 * unique because each (epoch, direction) key sees each counter once.
 *
 * Counter mask (header protection, protocol/envelope/direct.ts):
 *   mask = HMAC-SHA-256(header key, first 16 sealed bytes)[0..3]
 * The sample is ciphertext under a fresh nonce, so masks look random and
 * differ per message (the role AES-ECB or ChaCha20 plays in RFC 9001 5.4).
 */
import { concatBytes, utf8 } from '../codec/bytes.ts';
import { AEAD_NONCE_BYTES, type CryptoSuite, KEY_BYTES } from '../crypto/suite.ts';
import type { ContactPublicKey } from '../keys/keys.ts';
import { COUNTER_SAMPLE_BYTES, MAILBOX_TAG_BYTES } from '../envelope/direct.ts';
import { SessionError } from './errors.ts';

const ROOT0_SALT = utf8('meow/session/v1/root0');
const RATCHET_INFO = utf8('meow/session/v1/ratchet');
const EPOCH_INFO = utf8('meow/session/v1/epoch');
// The same hash as the relay's 16-byte mailbox tag (protocol/server/mailbox.ts,
// mailboxTagOf): the envelope carries its first 6 bytes, so a gateway or relay
// can match a mesh envelope to a relay mailbox by prefix. A test checks they agree.
const MAILBOX_TAG_LABEL = utf8('meow/relay/v1/mailbox-tag');

/** Lexicographic order of two byte strings (-1, 0, 1). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * The mailbox tag servers and relays see on a mesh envelope: the first 6
 * bytes of SHA-256("meow/relay/v1/mailbox-tag" || Lkp public key), which is
 * a prefix of the relay's 16-byte tag of the same mailbox. A relay that is shown
 * the Lkp public key (in a fetch proof) can check the tag; a fresh Lkp gives
 * a tag that nobody without the new public key can link to the old one.
 */
export function mailboxTag(suite: CryptoSuite, lookupPublic: Uint8Array): Uint8Array {
  if (lookupPublic.length !== KEY_BYTES) throw new SessionError('bad-argument', `Lkp public key must be ${KEY_BYTES} bytes`);
  return suite.sha256(concatBytes(MAILBOX_TAG_LABEL, lookupPublic)).slice(0, MAILBOX_TAG_BYTES);
}

function dh(suite: CryptoSuite, secret: Uint8Array, pub: Uint8Array, what: string): Uint8Array {
  const shared = suite.x25519(secret, pub);
  if (!shared) throw new SessionError('bad-argument', `${what}: low-order or malformed X25519 public key`);
  return shared;
}

export interface InitialRootInput {
  myContact: ContactPublicKey;
  myContactAgreementSecret: Uint8Array;
  theirContact: ContactPublicKey;
  myEncryptionSecret: Uint8Array;
  myEncryptionPublic: Uint8Array;
  theirEncryptionPublic: Uint8Array;
}

/** True when my Ckp X25519 public key sorts before theirs (I am the "low" side). */
export function isLowSide(myContact: ContactPublicKey, theirContact: ContactPublicKey): boolean {
  const c = compareBytes(myContact.agreement, theirContact.agreement);
  if (c === 0) throw new SessionError('bad-argument', 'both sides have the same contact key');
  return c < 0;
}

export function initialRoot(suite: CryptoSuite, k: InitialRootInput): Uint8Array {
  const low = isLowSide(k.myContact, k.theirContact);
  const pairwise = dh(suite, k.myContactAgreementSecret, k.theirContact.agreement, 'their contact key');
  const ee = dh(suite, k.myEncryptionSecret, k.theirEncryptionPublic, 'their encryption key');
  const [cLow, cHigh] = low ? [k.myContact, k.theirContact] : [k.theirContact, k.myContact];
  const [eLow, eHigh] = low ? [k.myEncryptionPublic, k.theirEncryptionPublic] : [k.theirEncryptionPublic, k.myEncryptionPublic];
  const info = concatBytes(cLow.signing, cLow.agreement, cHigh.signing, cHigh.agreement, eLow, eHigh);
  const root = suite.hkdf(concatBytes(pairwise, ee), ROOT0_SALT, info, KEY_BYTES);
  pairwise.fill(0);
  ee.fill(0);
  return root;
}

/** One ratchet step: the shared secret of (new Ekp of the rotating side, current Ekp of the other side). */
export function ratchetRoot(
  suite: CryptoSuite, root: Uint8Array, shared: Uint8Array, rotatingPublic: Uint8Array, otherPublic: Uint8Array,
): Uint8Array {
  return suite.hkdf(shared, root, concatBytes(RATCHET_INFO, rotatingPublic, otherPublic), KEY_BYTES);
}

/** X25519 for a ratchet step; undefined for a low-order public key (never throws on peer input). */
export function ratchetShared(suite: CryptoSuite, mySecret: Uint8Array, theirPublic: Uint8Array): Uint8Array | undefined {
  return suite.x25519(mySecret, theirPublic);
}

export interface EpochKeys {
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  readonly presenceSendKey: Uint8Array;
  readonly presenceReceiveKey: Uint8Array;
  readonly headerSendKey: Uint8Array;
  readonly headerReceiveKey: Uint8Array;
}

export function epochKeys(suite: CryptoSuite, root: Uint8Array, lowSide: boolean): EpochKeys {
  const okm = suite.hkdf(root, new Uint8Array(0), EPOCH_INFO, 6 * KEY_BYTES);
  const k = (i: number): Uint8Array => okm.slice(i * KEY_BYTES, (i + 1) * KEY_BYTES);
  const [lowToHigh, highToLow, presenceLowToHigh, presenceHighToLow, headerLowToHigh, headerHighToLow] = [0, 1, 2, 3, 4, 5].map(k) as
    [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  okm.fill(0);
  return lowSide
    ? {
      sendKey: lowToHigh, receiveKey: highToLow, presenceSendKey: presenceLowToHigh, presenceReceiveKey: presenceHighToLow,
      headerSendKey: headerLowToHigh, headerReceiveKey: headerHighToLow,
    }
    : {
      sendKey: highToLow, receiveKey: lowToHigh, presenceSendKey: presenceHighToLow, presenceReceiveKey: presenceLowToHigh,
      headerSendKey: headerHighToLow, headerReceiveKey: headerLowToHigh,
    };
}

/** The u24 mask of a direct envelope's counter (see the file comment). */
export function counterMask(suite: CryptoSuite, headerKey: Uint8Array, sealed: Uint8Array): number {
  const prf = suite.hmacSha256(headerKey, sealed.subarray(0, COUNTER_SAMPLE_BYTES));
  return ((prf[0] as number) << 16) | ((prf[1] as number) << 8) | (prf[2] as number);
}

/** 9 zero bytes || u24 counter (see the file comment). */
export function messageNonce(counter: number): Uint8Array {
  const nonce = new Uint8Array(AEAD_NONCE_BYTES);
  nonce[9] = counter >>> 16;
  nonce[10] = (counter >>> 8) & 0xff;
  nonce[11] = counter & 0xff;
  return nonce;
}
