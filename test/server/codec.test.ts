/** Round trips (fast-check), sealing and stamps of the relay protocol. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../protocol/codec/bytes.ts';
import { generateServerKeyPair } from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { MAX_ENVELOPE_BYTES } from '../../protocol/server/constants.ts';
import { decodeResponseFrame, encodeRefusalFrame, replyIdOf } from '../../protocol/server/frame.ts';
import { decodeRequest } from '../../protocol/server/request-decode.ts';
import { encodeRequest, encodeSignedRequest } from '../../protocol/server/request-encode.ts';
import type { RelayRequest, SignedRequest } from '../../protocol/server/request-types.ts';
import { decodeResponse, encodeErrorResponse, encodeOkResponse } from '../../protocol/server/response.ts';
import { openRequest, openResponse, sealRequest, sealResponse, serverIdOf } from '../../protocol/server/seal.ts';
import { checkStamp, leadingZeroBits, mintStamp } from '../../protocol/server/stamp.ts';
import { decodeRequestFrame } from '../../protocol/server/frame.ts';
import { lookup, portable, server } from './samples.ts';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const stampArb = fc.option(fc.record({ minute: fc.nat({ max: 0xffffffff }), nonce: bytes(8, 8) }), { nil: undefined });
const anonymousArb: fc.Arbitrary<Exclude<RelayRequest, SignedRequest>> = fc.oneof(
  fc.record({ kind: fc.constant('deposit' as const), tag: bytes(16, 16), envelope: bytes(1, 300), pass: fc.option(bytes(16, 16), { nil: undefined }), stamp: stampArb }),
  fc.record({ kind: fc.constant('presence-lookup' as const), tag: bytes(16, 16) }),
  fc.record({ kind: fc.constant('broadcast-list' as const), sinceSeq: fc.nat(), limit: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('directory-search' as const), query: fc.string({ maxLength: 16 }), limit: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('directory-random' as const), count: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('catalog-list' as const) }),
  fc.record({ kind: fc.constant('catalog-announce' as const), descriptors: fc.array(bytes(0, 40), { maxLength: 5 }) }),
  fc.record({ kind: fc.constant('broadcast-post' as const), record: bytes(0, 100), stamp: stampArb }),
  fc.record({ kind: fc.constant('directory-publish' as const), record: bytes(0, 100), stamp: stampArb }),
).map((r) => stripUndefined(r));

function stripUndefined<T extends object>(r: T): T {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as T;
}

describe('relay request codec', () => {
  it('round-trips every anonymous request (fast-check)', () => {
    fc.assert(fc.property(anonymousArb, (r) => {
      const decoded = decodeRequest(encodeRequest(r), server.publicKey.signing);
      expect(decoded.ok).toBe(true);
      if (decoded.ok) expect(decoded.value).toEqual(r);
    }), { numRuns: 2000 });
  });

  it('round-trips signed requests and exposes exactly the signed bytes', () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 64 }), fc.array(bytes(16, 16), { maxLength: 64 }), (counter, limit, acks) => {
      const b = encodeSignedRequest(portable, server.publicKey.signing, lookup.secretKey, { kind: 'fetch', counter, limit, acks });
      const d = decodeRequest(b, server.publicKey.signing);
      if (!d.ok || d.value.kind !== 'fetch') throw new Error('decode failed');
      expect(d.value).toMatchObject({ counter, limit, acks, signer: lookup.publicKey });
      expect(portable.ed25519Verify(d.value.signer, d.value.signedMessage!, d.value.signature)).toBe(true);
    }), { numRuns: 50 });
  });

  it('refuses unknown kinds and flags, empty envelopes, over-cap lengths and trailing bytes', () => {
    const k = server.publicKey.signing;
    expect(decodeRequest(new Uint8Array([0x42]), k)).toMatchObject({ ok: false, code: 'bad-kind', offset: 0 });
    const dep = encodeRequest({ kind: 'deposit', tag: new Uint8Array(16), envelope: utf8('x') });
    const badFlags = dep.slice();
    badFlags[17] = 0x80;
    expect(decodeRequest(badFlags, k)).toMatchObject({ ok: false, code: 'bad-value' });
    expect(decodeRequest(new Uint8Array([0x01, ...new Uint8Array(16), 0, 0]), k)).toMatchObject({ ok: false, code: 'bad-value' });
    expect(decodeRequest(new Uint8Array([...dep, 0, 0, 0]), k)).toMatchObject({ ok: true }); // zero padding
    expect(decodeRequest(new Uint8Array([...dep, 0, 1]), k)).toMatchObject({ ok: false, code: 'trailing-bytes' });
    const huge = new Uint8Array([0x01, ...new Uint8Array(16), 0, 0x81, 0x40]); // length 8193
    expect(decodeRequest(huge, k)).toMatchObject({ ok: false, code: 'too-long' });
    expect(() => encodeRequest({ kind: 'deposit', tag: new Uint8Array(16), envelope: new Uint8Array(MAX_ENVELOPE_BYTES + 1) })).toThrow(RangeError);
    expect(decodeRequest(new Uint8Array([0x07, 0, 0]), k)).toMatchObject({ ok: false, code: 'bad-value' }); // limit 0
  });
});

describe('relay response codec', () => {
  it('round-trips fetch answers and errors', () => {
    fc.assert(fc.property(fc.boolean(), fc.array(fc.record({ id: bytes(16, 16), depositedSec: fc.nat({ max: 0xffffffff }), envelope: bytes(0, 200) }), { maxLength: 10 }), (more, messages) => {
      const d = decodeResponse('fetch', encodeOkResponse('fetch', { more, messages }));
      expect(d).toEqual({ ok: true, value: { ok: true, kind: 'fetch', body: { more, messages } } });
    }), { numRuns: 500 });
    const e = decodeResponse('deposit', encodeErrorResponse('quota-exceeded', 'mailbox is full'));
    expect(e).toEqual({ ok: true, value: { ok: false, code: 'quota-exceeded', message: 'mailbox is full' } });
  });

  it('cuts long error messages on a character boundary', () => {
    const long = 'é'.repeat(300);
    const d = decodeResponse('deposit', encodeErrorResponse('malformed', long));
    expect(d.ok && !d.value.ok && d.value.message).toBe('é'.repeat(100));
  });
});

describe('sealing to the server key', () => {
  const rnd = new SeededRandom('seal-tests');
  const id = serverIdOf(portable, server.publicKey);

  it('only the requester reads the answer, and only this server opens the request', () => {
    const sealed = sealRequest(portable, rnd, server.publicKey, utf8('hello'));
    const frame = decodeRequestFrame(sealed.frame);
    if (!frame.ok || frame.value.type !== 'sealed') throw new Error('frame');
    const opened = openRequest(portable, server, id, frame.value);
    if (!opened.ok) throw new Error('open');
    expect(opened.value.plaintext).toEqual(utf8('hello'));
    const answer = sealResponse(portable, rnd, opened.value, utf8('world'));
    expect(openResponse(portable, sealed, answer)).toEqual({ ok: true, value: { type: 'sealed', plaintext: utf8('world') } });
    // Another request's key cannot read it, and two answers never share a nonce.
    const other = sealRequest(portable, rnd, server.publicKey, utf8('x'));
    expect(openResponse(portable, { ...other, replyId: sealed.replyId }, answer)).toMatchObject({ ok: false, code: 'bad-mac' });
    expect(openResponse(portable, other, answer)).toMatchObject({ ok: false, code: 'bad-value' });
    const again = sealResponse(portable, rnd, opened.value, utf8('world'));
    expect(again.subarray(9, 33)).not.toEqual(answer.subarray(9, 33));
    // Another server refuses it as not its own.
    const otherServer = generateServerKeyPair(portable, rnd);
    expect(openRequest(portable, otherServer, serverIdOf(portable, otherServer.publicKey), frame.value)).toMatchObject({ ok: false, code: 'wrong-server' });
    // Every single-bit flip of the frame breaks it.
    for (let i = 9; i < sealed.frame.length; i += 7) {
      const f = sealed.frame.slice();
      f[i]! ^= 0x10;
      const d = decodeRequestFrame(f);
      if (d.ok && d.value.type === 'sealed') expect(openRequest(portable, server, id, d.value).ok).toBe(false);
    }
  });

  it('refusal frames carry the reply id read from the request header', () => {
    const sealed = sealRequest(portable, rnd, server.publicKey, utf8('x'));
    expect(replyIdOf(sealed.frame)).toEqual(sealed.replyId);
    expect(replyIdOf(new Uint8Array([1, 2]))).toEqual(new Uint8Array(8));
    const refusal = decodeResponseFrame(encodeRefusalFrame(sealed.replyId, 'rate-limited', 'slow down'));
    expect(refusal).toEqual({ ok: true, value: { type: 'refusal', replyId: sealed.replyId, code: 'rate-limited', message: 'slow down' } });
  });
});

describe('proof-of-work stamps', () => {
  it('mints stamps of the asked difficulty that verify, and refuses weaker, stale or misbound ones', () => {
    const rnd = new SeededRandom('stamps');
    const key = server.publicKey.signing;
    const resource = utf8('tag+id');
    const minute = 29_833_333;
    const stamp = mintStamp(portable, rnd, key, resource, 10, minute);
    expect(checkStamp(portable, key, resource, stamp, 10, minute)).toBe('ok');
    expect(checkStamp(portable, key, resource, stamp, 10, minute + 10)).toBe('ok');
    expect(checkStamp(portable, key, resource, stamp, 10, minute - 11)).toBe('stale');
    expect(checkStamp(portable, key, utf8('other'), stamp, 10, minute)).toBe('bad-stamp');
    expect(checkStamp(portable, new Uint8Array(32), resource, stamp, 10, minute)).toBe('bad-stamp');
    expect(leadingZeroBits(new Uint8Array([0, 0, 0x10, 0xff]))).toBe(19);
    expect(leadingZeroBits(new Uint8Array(4))).toBe(32);
    expect(() => mintStamp(portable, rnd, key, resource, 33, minute)).toThrow(/difficulty/);
  });
});
