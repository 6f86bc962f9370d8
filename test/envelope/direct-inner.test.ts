import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import {
  DIRECT_HEADER_BYTES, decodeDirectEnvelope, directHeader, encodeDirectEnvelope,
} from '../../protocol/envelope/direct.ts';
import { EnvelopeError } from '../../protocol/envelope/errors.ts';
import { type InnerMessage, decodeInner, encodeInner } from '../../protocol/envelope/inner.ts';
import { fuzzDecoder } from './fuzz-helpers.ts';

const bytesOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

const innerArb: fc.Arbitrary<InnerMessage> = fc.record({
  body: fc.oneof(
    fc.constant({ type: 'none' as const }),
    fc.string({ unit: 'grapheme', maxLength: 30 }).map((text) => ({ type: 'text' as const, text })),
    fc.uint8Array({ maxLength: 60 }).map((bytes) => ({ type: 'data' as const, bytes })),
  ),
  acks: fc.array(fc.record({ epochByte: fc.integer({ min: 0, max: 255 }), counter: fc.integer({ min: 0, max: 0xffffff }) }), { maxLength: 16 }),
  encryptionKey: fc.option(bytesOf(32), { nil: undefined }),
  lookupKey: fc.option(bytesOf(32), { nil: undefined }),
});

describe('direct envelope codec', () => {
  it('lays out version/kind, tag, masked counter, sealed part exactly', () => {
    const tag = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const header = directHeader(tag, 0x0a0b0c);
    expect(toHex(header)).toBe('11' + '010203040506' + '0a0b0c'); // the associated data: real counter
    const env = encodeDirectEnvelope(header, new Uint8Array(17).fill(0xee), 0xff00f0);
    expect(toHex(env.subarray(0, 10))).toBe('11' + '010203040506' + 'f50bfc'); // on the wire: counter ^ mask
    const d = decodeDirectEnvelope(env);
    expect(d.ok).toBe(true);
    if (d.ok) {
      expect(toHex(d.value.mailboxTag)).toBe('010203040506');
      expect(d.value.maskedCounter).toBe(0x0a0b0c ^ 0xff00f0);
      expect(d.value.sealed.length).toBe(17);
    }
  });

  it('round-trips any tag, counter, mask and sealed part', () => {
    const u24 = fc.integer({ min: 0, max: 0xffffff });
    fc.assert(fc.property(bytesOf(6), u24, u24, fc.uint8Array({ minLength: 17, maxLength: 300 }), (tag, counter, mask, sealed) => {
      const d = decodeDirectEnvelope(encodeDirectEnvelope(directHeader(tag, counter), sealed, mask));
      expect(d.ok).toBe(true);
      if (d.ok) {
        expect(toHex(d.value.mailboxTag)).toBe(toHex(tag));
        expect(d.value.maskedCounter ^ mask).toBe(counter);
        expect(toHex(d.value.sealed)).toBe(toHex(sealed));
      }
    }), { numRuns: 2000 });
  });

  it('every truncation is "truncated", a wrong version or kind is named, 4 KiB is the cap', () => {
    const env = encodeDirectEnvelope(directHeader(new Uint8Array(6), 1), new Uint8Array(17), 0);
    for (let n = 0; n < env.length; n++) {
      const r = decodeDirectEnvelope(env.subarray(0, n));
      expect(r.ok ? 'ok' : r.code, `length ${n}`).toBe('truncated');
    }
    const v = env.slice();
    v[0] = 0x21;
    expect(decodeDirectEnvelope(v)).toMatchObject({ ok: false, code: 'bad-version', offset: 0 });
    v[0] = 0x13;
    expect(decodeDirectEnvelope(v)).toMatchObject({ ok: false, code: 'bad-kind', offset: 0 });
    expect(decodeDirectEnvelope(new Uint8Array(4097).fill(0x11))).toMatchObject({ ok: false, code: 'too-long' });
  });

  it('refuses misuse with typed errors', () => {
    expect(() => directHeader(new Uint8Array(5), 0)).toThrow(EnvelopeError);
    expect(() => directHeader(new Uint8Array(6), 0x1000000)).toThrow(EnvelopeError);
    expect(() => encodeDirectEnvelope(new Uint8Array(DIRECT_HEADER_BYTES), new Uint8Array(4090), 0)).toThrow(/exceeds/);
  });

  it('fuzz: 100,000 random and mutated inputs never throw', () => {
    const valid = [encodeDirectEnvelope(directHeader(new Uint8Array(6).fill(7), 5), new Uint8Array(22).fill(1), 0x123456)];
    const { accepted } = fuzzDecoder('direct-fuzz', 100_000, valid, 80, decodeDirectEnvelope);
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('inner content codec', () => {
  it('encodes a 5-byte text as 6 bytes: type then UTF-8', () => {
    expect(toHex(encodeInner({ body: { type: 'text', text: 'hello' }, acks: [] }))).toBe('01' + '68656c6c6f');
  });

  it('lays out acks and rotation keys in flag order', () => {
    const e = new Uint8Array(32).fill(0xe0);
    const l = new Uint8Array(32).fill(0x1c);
    const bytes = encodeInner({ body: { type: 'none' }, acks: [{ epochByte: 2, counter: 0x010203 }], encryptionKey: e, lookupKey: l });
    expect(toHex(bytes)).toBe('70' + '01' + '02010203' + toHex(e) + toHex(l));
  });

  it('round-trips any content, including a text that starts with a byte order mark', () => {
    fc.assert(fc.property(innerArb, (m) => {
      const d = decodeInner(encodeInner(m));
      expect(d.ok).toBe(true);
      if (d.ok) {
        expect(d.value.body).toEqual(m.body);
        expect(d.value.acks).toEqual(m.acks);
        expect(d.value.encryptionKey && toHex(d.value.encryptionKey)).toBe(m.encryptionKey && toHex(m.encryptionKey));
        expect(d.value.lookupKey && toHex(d.value.lookupKey)).toBe(m.lookupKey && toHex(m.lookupKey));
      }
    }), { numRuns: 3000 });
    const bom = decodeInner(encodeInner({ body: { type: 'text', text: '\ufeffhi' }, acks: [] }));
    expect(bom.ok && bom.value.body).toEqual({ type: 'text', text: '\ufeffhi' });
  });

  it('refuses reserved flags, unknown body types, bad ack counts, bad UTF-8, a body on type none', () => {
    expect(decodeInner(Uint8Array.from([0x81]))).toMatchObject({ ok: false, code: 'bad-value', offset: 0 });
    expect(decodeInner(Uint8Array.from([0x03]))).toMatchObject({ ok: false, code: 'bad-kind' });
    expect(decodeInner(Uint8Array.from([0x10, 0x00]))).toMatchObject({ ok: false, code: 'bad-value', offset: 1 });
    expect(decodeInner(Uint8Array.from([0x10, 17]))).toMatchObject({ ok: false, code: 'bad-value' });
    expect(decodeInner(Uint8Array.from([0x01, 0xff]))).toMatchObject({ ok: false, code: 'bad-encoding', offset: 1 });
    expect(decodeInner(Uint8Array.from([0x00, 0x00]))).toMatchObject({ ok: false, code: 'trailing-bytes' });
    expect(decodeInner(new Uint8Array(0))).toMatchObject({ ok: false, code: 'truncated' });
    expect(decodeInner(Uint8Array.from([0x20, 1, 2]))).toMatchObject({ ok: false, code: 'truncated' });
    expect(decodeInner(Uint8Array.from([0x03]), 10)).toMatchObject({ offset: 10 });
  });

  it('fuzz: 100,000 random and mutated inputs never throw', () => {
    const valid = [
      encodeInner({ body: { type: 'text', text: 'hello' }, acks: [] }),
      encodeInner({ body: { type: 'data', bytes: new Uint8Array(9) }, acks: [{ epochByte: 1, counter: 2 }], encryptionKey: new Uint8Array(32) }),
      encodeInner({ body: { type: 'none' }, acks: [], lookupKey: new Uint8Array(32) }),
    ];
    const { accepted } = fuzzDecoder('inner-fuzz', 100_000, valid, 90, (b) => decodeInner(b));
    expect(accepted).toBeGreaterThan(0);
  });
});
