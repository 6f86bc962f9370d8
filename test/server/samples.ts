/** Valid sample messages of every relay codec, built with fixed keys (for fuzzing and round trips). */
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { generateLookupKeyPair, generateServerKeyPair } from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { utf8 } from '../../protocol/codec/bytes.ts';
import { createServerDescriptor } from '../../protocol/server/descriptor.ts';
import { encodeDescriptorFrame, encodeDescriptorQuery, encodeRefusalFrame } from '../../protocol/server/frame.ts';
import { createBroadcast, createDirectoryEntry } from '../../protocol/server/records.ts';
import { encodeRequest, encodeSignedRequest } from '../../protocol/server/request-encode.ts';
import { encodeErrorResponse, encodeOkResponse } from '../../protocol/server/response.ts';
import { sealRequest, sealResponse } from '../../protocol/server/seal.ts';
import type { RequestKind } from '../../protocol/server/request-types.ts';

export const portable = createPortableSuite();

/** A suite whose Ed25519 verification is a coin toss by the last signature byte: fuzzing reaches both paths fast. */
export function fuzzSuite(): CryptoSuite {
  return { ...portable, ed25519Verify: (_k, _m, sig) => sig.length === 64 && ((sig[63] as number) & 1) === 0 };
}

const rnd = new SeededRandom('server-samples');
export const server = generateServerKeyPair(portable, rnd);
export const lookup = generateLookupKeyPair(portable, rnd);
const tag = rnd.bytes(16);
const stamp = { minute: 29_000_000, nonce: rnd.bytes(8) };
const entrySeed = rnd.bytes(32);

export const descriptor = createServerDescriptor(portable, server, ['http://127.0.0.1:8470', 'udp://relay.example:41325'], 1_790_000_000, 1_790_086_400);
export const broadcast = createBroadcast(portable, rnd.bytes(32), server.publicKey.signing, 1_790_000_000, 'Shelter open at the gym');
export const entry = createDirectoryEntry(portable, entrySeed, server.publicKey.signing,
  { createdSec: 1_790_000_000, ttlSec: 86_400, description: 'Free for chat: birds, bikes', reach: utf8('meow-card:xyz') });

const sign = portable.ed25519Sign;
void sign;

export const requestSamples: Uint8Array[] = [
  encodeRequest({ kind: 'deposit', tag, envelope: utf8('opaque envelope') }),
  encodeRequest({ kind: 'deposit', tag, envelope: rnd.bytes(40), pass: rnd.bytes(16), stamp }),
  encodeRequest({ kind: 'presence-lookup', tag }),
  encodeRequest({ kind: 'broadcast-post', record: broadcast.bytes, stamp }),
  encodeRequest({ kind: 'broadcast-list', sinceSeq: 300, limit: 10 }),
  encodeRequest({ kind: 'directory-publish', record: entry.bytes }),
  encodeRequest({ kind: 'directory-search', query: 'chess é', limit: 5 }),
  encodeRequest({ kind: 'directory-random', count: 3 }),
  encodeRequest({ kind: 'catalog-list' }),
  encodeRequest({ kind: 'catalog-announce', descriptors: [descriptor.bytes] }),
  encodeSignedRequest(portable, server.publicKey.signing, lookup.secretKey, { kind: 'register', counter: 5, passKey: rnd.bytes(32) }),
  encodeSignedRequest(portable, server.publicKey.signing, lookup.secretKey, { kind: 'register', counter: 6 }),
  encodeSignedRequest(portable, server.publicKey.signing, lookup.secretKey, { kind: 'fetch', counter: 1_790_000_000_123, limit: 64, acks: [rnd.bytes(16), rnd.bytes(16)] }),
  encodeSignedRequest(portable, server.publicKey.signing, lookup.secretKey, { kind: 'presence-publish', counter: 9, ttlSec: 600, blob: rnd.bytes(48) }),
  encodeSignedRequest(portable, server.publicKey.signing, entrySeed, { kind: 'directory-withdraw', counter: 10 }),
];

export const responseSamples: { kind: RequestKind; bytes: Uint8Array }[] = [
  { kind: 'deposit', bytes: encodeOkResponse('deposit', { id: rnd.bytes(16), duplicate: true }) },
  { kind: 'fetch', bytes: encodeOkResponse('fetch', { more: true, messages: [{ id: rnd.bytes(16), depositedSec: 1_790_000_000, envelope: rnd.bytes(30) }] }) },
  { kind: 'presence-lookup', bytes: encodeOkResponse('presence-lookup', { expiresSec: 1_790_000_600, blob: rnd.bytes(20) }) },
  { kind: 'broadcast-post', bytes: encodeOkResponse('broadcast-post', { seq: 77 }) },
  { kind: 'broadcast-list', bytes: encodeOkResponse('broadcast-list', { items: [{ seq: 3, record: broadcast.bytes }] }) },
  { kind: 'directory-search', bytes: encodeOkResponse('directory-search', { entries: [entry.bytes] }) },
  { kind: 'directory-random', bytes: encodeOkResponse('directory-random', { entries: [entry.bytes, entry.bytes] }) },
  { kind: 'catalog-list', bytes: encodeOkResponse('catalog-list', { descriptors: [descriptor.bytes] }) },
  { kind: 'catalog-announce', bytes: encodeOkResponse('catalog-announce', { accepted: 1 }) },
  { kind: 'register', bytes: encodeOkResponse('register', {}) },
  { kind: 'fetch', bytes: encodeErrorResponse('replayed', 'counter 5 not above 9') },
];

const sealed = sealRequest(portable, rnd, server.publicKey, requestSamples[0]!);
export const requestFrameSamples: Uint8Array[] = [sealed.frame, encodeDescriptorQuery(rnd.bytes(8))];
export const responseFrameSamples: Uint8Array[] = [
  sealResponse(portable, rnd, sealed, responseSamples[0]!.bytes),
  encodeDescriptorFrame(rnd.bytes(8), descriptor.bytes),
  encodeRefusalFrame(rnd.bytes(8), 'bad-seal', 'request does not open with this server key'),
];
