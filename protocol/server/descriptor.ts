/**
 * Signed server descriptor: how a relay publishes its key and URLs, and
 * what the catalog exchanges (docs/PROTOCOL.md section "server", "Catalog").
 *
 *   0      1              33               65          69           73        74
 *   +------+--------------+----------------+-----------+------------+---------+------------------+--------+
 *   | 0x01 | Ed25519 pub  | X25519 pub     | issued    | expires    | n urls  | n x (varint len, | sig 64 |
 *   | ver  | 32           | 32             | u32 sec   | u32 sec    | u8 <= 8 |  UTF-8 URL <=200)|        |
 *   +------+--------------+----------------+-----------+------------+---------+------------------+--------+
 *   optional onion key field (descriptor-onion.ts) between the URLs and sig: onion X25519 pub 32 | valid until u32
 *   sig = Ed25519(Skp signing, "meow/relay/v1/descriptor" || every byte before sig)
 */
import { concatBytes, fromUtf8, utf8 } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { ByteWriter } from '../codec/writer.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import type { ServerKeyPair, ServerPublicKey } from '../keys/keys.ts';
import {
  LABEL, MAX_DESCRIPTOR_BYTES, MAX_SERVER_URL_BYTES, MAX_SERVER_URLS, RELAY_PROTOCOL_VERSION, SIGNATURE_BYTES,
} from './constants.ts';
import { RelayUsageError } from './errors.ts';
import { type OnionKeyAnnouncement, readOnionKeyField, writeOnionKeyField } from './descriptor-onion.ts';

export interface ServerDescriptor {
  readonly server: ServerPublicKey;
  readonly issuedSec: number;
  readonly expiresSec: number;
  readonly urls: readonly string[];
  readonly onion?: OnionKeyAnnouncement;
  /** The exact signed bytes, kept so that catalogs pass descriptors on unchanged. */
  readonly bytes: Uint8Array;
}

export function createServerDescriptor(
  suite: CryptoSuite, key: ServerKeyPair, urls: readonly string[], issuedSec: number, expiresSec: number, onion?: OnionKeyAnnouncement,
): ServerDescriptor {
  if (urls.length > MAX_SERVER_URLS) throw new RelayUsageError(`at most ${MAX_SERVER_URLS} URLs`);
  if (expiresSec <= issuedSec) throw new RelayUsageError('descriptor must expire after it is issued');
  const w = new ByteWriter(256).u8(RELAY_PROTOCOL_VERSION).fixed(key.publicKey.signing, 32).fixed(key.publicKey.agreement, 32)
    .u32(issuedSec).u32(expiresSec).u8(urls.length);
  for (const url of urls) w.lengthPrefixed(utf8(url), MAX_SERVER_URL_BYTES);
  if (onion) writeOnionKeyField(w, onion);
  const body = w.finish();
  const sig = suite.ed25519Sign(key.signingSecret, concatBytes(LABEL.descriptor, body));
  const bytes = concatBytes(body, sig);
  return { server: key.publicKey, issuedSec, expiresSec, urls: [...urls], ...(onion ? { onion } : {}), bytes };
}

/** Decodes and verifies the signature (a descriptor with a bad signature is refused, not returned). */
export function decodeServerDescriptor(suite: CryptoSuite, bytes: Uint8Array): DecodeResult<ServerDescriptor> {
  if (bytes.length > MAX_DESCRIPTOR_BYTES) return fail('too-long', 0, 'descriptor exceeds its cap');
  const r = new ByteReader(bytes);
  const version = r.u8('version');
  if (!r.failed && version !== RELAY_PROTOCOL_VERSION) return fail('bad-version', 0, `descriptor version ${version}`);
  const signing = r.copy(32, 'signing key');
  const agreement = r.copy(32, 'agreement key');
  const issuedSec = r.u32('issued');
  const expiresSec = r.u32('expires');
  const countAt = r.offset;
  const count = r.u8('url count');
  if (r.failed) return r.error!;
  if (count > MAX_SERVER_URLS) return fail('too-long', countAt, `${count} URLs exceed ${MAX_SERVER_URLS}`);
  const urls: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.offset;
    const raw = r.lengthPrefixed(MAX_SERVER_URL_BYTES, 'url');
    if (r.failed) return r.error!;
    const url = fromUtf8(raw);
    if (url === undefined) return fail('bad-encoding', at, 'URL is not UTF-8');
    urls.push(url);
  }
  const onion = r.remaining > SIGNATURE_BYTES ? readOnionKeyField(r) : undefined;
  const bodyEnd = r.offset;
  const sig = r.bytes(SIGNATURE_BYTES, 'signature');
  r.end('descriptor');
  if (r.failed) return r.error!;
  if (expiresSec <= issuedSec) return fail('bad-value', 65, 'descriptor expires before it is issued');
  if (!suite.ed25519Verify(signing, concatBytes(LABEL.descriptor, bytes.subarray(0, bodyEnd)), sig)) {
    return fail('bad-signature', bodyEnd, 'descriptor signature does not verify');
  }
  return ok({ server: { role: 'server', signing, agreement }, issuedSec, expiresSec, urls, ...(onion ? { onion } : {}), bytes: bytes.slice() });
}
