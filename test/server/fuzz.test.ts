/**
 * Fuzzing every relay decoder inside the suite (quality bar: >= 100,000
 * inputs per decoder): random bytes, every truncation of valid samples, and
 * mutated samples. The decoder must never throw, must report a known error
 * code at an offset inside the input, and what it accepts must re-encode to
 * the same bytes where the codec has an encoder.
 */
import { describe, expect, it } from 'vitest';
import { decodeServerDescriptor } from '../../protocol/server/descriptor.ts';
import { decodeRequestFrame, decodeResponseFrame, replyIdOf } from '../../protocol/server/frame.ts';
import { decodeBroadcast, decodeDirectoryEntry } from '../../protocol/server/records.ts';
import { decodeRequest } from '../../protocol/server/request-decode.ts';
import { encodeRequest } from '../../protocol/server/request-encode.ts';
import { isSignedRequest, type RelayRequest, REQUEST_KIND, type RequestKind } from '../../protocol/server/request-types.ts';
import { decodeResponse, encodeErrorResponse, encodeOkResponse } from '../../protocol/server/response.ts';
import { FastRandom, fuzzDecoder, mustEqual } from './fuzz-support.ts';
import {
  broadcast, descriptor, entry, fuzzSuite, requestFrameSamples, requestSamples, responseFrameSamples, responseSamples, server,
} from './samples.ts';

const N = 100_000;
const suite = fuzzSuite();
const relaySigning = server.publicKey.signing;

describe('relay decoders under fuzzing', () => {
  it(`decodeRequest: ${N} inputs, accepted anonymous requests re-encode to the same bytes`, () => {
    const kinds = Object.values(REQUEST_KIND);
    const stats = fuzzDecoder((b) => decodeRequest(b, relaySigning), requestSamples, N, 1, (value: RelayRequest, bytes) => {
      // Accepted bytes are the canonical encoding followed only by zero padding.
      if (!isSignedRequest(value)) {
        const canonical = encodeRequest(value);
        mustEqual(canonical, bytes.subarray(0, canonical.length));
        if (bytes.subarray(canonical.length).some((b) => b !== 0)) expect.fail('non-zero padding accepted');
      }
      else {
        // signedMessage = label (28) || relay key (32) || body; the signature follows the body.
        const bodyLength = value.signedMessage!.length - 60;
        mustEqual(value.signedMessage!.subarray(60), bytes.subarray(0, bodyLength));
        mustEqual(value.signature, bytes.subarray(bodyLength, bodyLength + 64));
      }
    });
    // And inputs that start with each valid kind byte, so every branch sees junk.
    const rnd = new FastRandom(11);
    for (let i = 0; i < 20_000; i++) {
      const b = rnd.bytes(1 + rnd.below(120));
      b[0] = kinds[rnd.below(kinds.length)]!;
      const r = decodeRequest(b, relaySigning);
      if (!r.ok && r.offset > b.length) expect.fail(`offset ${r.offset} past ${b.length}`);
    }
    expect(stats.inputs).toBeGreaterThanOrEqual(N);
    expect(stats.accepted).toBeGreaterThan(100);
  });

  it(`decodeResponse: ${N} inputs over every request kind; accepted ones re-encode`, () => {
    const kinds = Object.keys(REQUEST_KIND) as RequestKind[];
    const rnd = new FastRandom(2);
    let accepted = 0;
    const stats = fuzzDecoder((b) => {
      const kind = kinds[rnd.below(kinds.length)]!;
      const r = decodeResponse(kind, b);
      if (r.ok) {
        accepted++;
        const again = r.value.ok ? encodeOkResponse(kind, r.value.body) : encodeErrorResponse(r.value.code, r.value.message);
        mustEqual(again, b);
      }
      return r;
    }, responseSamples.map((s) => s.bytes), N, 3);
    expect(stats.inputs).toBeGreaterThanOrEqual(N);
    expect(accepted).toBeGreaterThan(100);
  });

  it(`decodeRequestFrame and replyIdOf: ${N} inputs`, () => {
    const stats = fuzzDecoder((b) => {
      if (replyIdOf(b).length !== 8) expect.fail('reply id length');
      return decodeRequestFrame(b);
    }, requestFrameSamples, N, 4);
    expect(stats.inputs).toBeGreaterThanOrEqual(N);
  });

  it(`decodeResponseFrame: ${N} inputs`, () => {
    expect(fuzzDecoder(decodeResponseFrame, responseFrameSamples, N, 5).inputs).toBeGreaterThanOrEqual(N);
  });

  it(`decodeServerDescriptor: ${N} inputs, accepted ones keep their exact bytes`, () => {
    const stats = fuzzDecoder((b) => decodeServerDescriptor(suite, b), [descriptor.bytes], N, 6, (v, b) => mustEqual(v.bytes, b));
    expect(stats.accepted).toBeGreaterThan(0);
  });

  it(`decodeBroadcast and decodeDirectoryEntry: ${N} inputs each`, () => {
    const a = fuzzDecoder((b) => decodeBroadcast(suite, relaySigning, b), [broadcast.bytes], N, 7, (v, b) => mustEqual(v.bytes, b));
    const d = fuzzDecoder((b) => decodeDirectoryEntry(suite, relaySigning, b), [entry.bytes], N, 8, (v, b) => mustEqual(v.bytes, b));
    expect(a.accepted).toBeGreaterThan(0);
    expect(d.accepted).toBeGreaterThan(0);
  });
});
