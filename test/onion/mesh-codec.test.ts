/**
 * The onion requests a mesh user sends its gateway (protocol/gateway/request.ts
 * 0xF3, 0xF4) and the gateway's answers (protocol/gateway/onion-answer.ts):
 * exact bytes field by field, round trips, every truncation, random bytes
 * (STYLE.md rules 4, 10, 11): a typed result, never a throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { decodeGatewayRequest, encodeGatewayRequest, type GatewayRequest } from '../../protocol/gateway/request.ts';
import { clipReason, decodeGatewayAnswer, encodeGatewayAnswer, type GatewayAnswer } from '../../protocol/gateway/onion-answer.ts';

const ticket = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
const url = 'http://r.io';
const radioPacket = new Uint8Array(228).fill(0xab);
const shortPacket = new Uint8Array(558).fill(0xcd);

describe('onion requests to a gateway', () => {
  it('encodes 0xF3 as kind | ticket 8 | urlLen | url | packet, and 0xF4 without the packet', () => {
    const onion = encodeGatewayRequest({ kind: 'onion', ticket, relayUrl: url, packet: radioPacket });
    expect(toHex(onion.subarray(0, 21))).toBe(
      'f3' // kind
      + '0102030405060708' // ticket
      + '0b' // url length 11
      + toHex(utf8(url)), // 'http://r.io'
    );
    expect(onion.length).toBe(1 + 8 + 1 + 11 + 228);
    expect(toHex(onion.subarray(21))).toBe(toHex(radioPacket));
    const catalog = encodeGatewayRequest({ kind: 'onion-catalog', ticket, relayUrl: url });
    expect(toHex(catalog)).toBe(`f40102030405060708 0b${toHex(utf8(url))}`.replace(' ', ''));
  });

  it('round trips both kinds and both mesh classes', () => {
    const requests: GatewayRequest[] = [
      { kind: 'onion', ticket, relayUrl: url, packet: radioPacket },
      { kind: 'onion', ticket, relayUrl: url, packet: shortPacket },
      { kind: 'onion-catalog', ticket, relayUrl: url },
    ];
    for (const request of requests) expect(decodeGatewayRequest(encodeGatewayRequest(request))).toEqual({ ok: true, value: request });
  });

  it('refuses a packet of no mesh class (long, or any other length) on both sides', () => {
    expect(() => encodeGatewayRequest({ kind: 'onion', ticket, relayUrl: url, packet: new Uint8Array(4398) })).toThrow(RangeError);
    const good = encodeGatewayRequest({ kind: 'onion', ticket, relayUrl: url, packet: radioPacket });
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    expect(decodeGatewayRequest(longer)).toMatchObject({ ok: false, code: 'bad-value', offset: 21 });
    const catalogPlus = new Uint8Array([...encodeGatewayRequest({ kind: 'onion-catalog', ticket, relayUrl: url }), 0]);
    expect(decodeGatewayRequest(catalogPlus)).toMatchObject({ ok: false, code: 'trailing-bytes' });
  });

  it('every truncation is a typed refusal, but for the cut that leaves a radio-class length (the class is the length)', () => {
    const onion = encodeGatewayRequest({ kind: 'onion', ticket, relayUrl: url, packet: shortPacket });
    for (let len = 0; len < onion.length; len++) {
      expect(decodeGatewayRequest(onion.subarray(0, len)).ok, `length ${len}`).toBe(len === 21 + 228);
    }
    const catalog = encodeGatewayRequest({ kind: 'onion-catalog', ticket, relayUrl: url });
    for (let len = 0; len < catalog.length; len++) expect(decodeGatewayRequest(catalog.subarray(0, len)).ok, `length ${len}`).toBe(false);
  });

  it('random bytes after each kind byte never throw', () => {
    fc.assert(fc.property(fc.constantFrom(0xf1, 0xf2, 0xf3, 0xf4, 0xf5), fc.uint8Array({ maxLength: 700 }), (kind, rest) => {
      const d = decodeGatewayRequest(Uint8Array.of(kind, ...rest));
      if (d.ok) expect(['relay-deposit', 'registration', 'onion', 'onion-catalog']).toContain(d.value.kind);
      else expect(typeof d.code).toBe('string');
    }), { numRuns: 3000 });
  });
});

describe('gateway answers', () => {
  it('encodes a status as kind | ticket | code | reason, and a catalog as count and u16-prefixed descriptors', () => {
    expect(toHex(encodeGatewayAnswer({ kind: 'onion-status', ticket, code: 'ok', reason: '' }))).toBe('f5010203040506070800');
    expect(toHex(encodeGatewayAnswer({ kind: 'onion-status', ticket, code: 'over-allowance', reason: 'hi' }))).toBe('f501020304050607080468' + '69');
    expect(toHex(encodeGatewayAnswer({ kind: 'onion-catalog', ticket, code: 'ok', descriptors: [Uint8Array.of(9), Uint8Array.of(7, 7)] })))
      .toBe('f6' + '0102030405060708' + '00' + '02' + '0001' + '09' + '0002' + '0707');
    expect(toHex(encodeGatewayAnswer({ kind: 'onion-catalog', ticket, code: 'not-served', reason: 'no' }))).toBe('f6010203040506070803' + '6e6f');
  });

  it('round trips every code', () => {
    const answers: GatewayAnswer[] = [
      ...(['ok', 'relay-refused', 'relay-unreachable', 'not-served', 'over-allowance'] as const).map((code) => ({ kind: 'onion-status' as const, ticket, code, reason: `why ${code} é` })),
      { kind: 'onion-catalog', ticket, code: 'ok', descriptors: [new Uint8Array(200).fill(1), new Uint8Array(180).fill(2)] },
      { kind: 'onion-catalog', ticket, code: 'relay-unreachable', reason: 'down' },
    ];
    for (const a of answers) expect(decodeGatewayAnswer(encodeGatewayAnswer(a))).toEqual({ ok: true, value: a });
  });

  it('clips a long reason on a character boundary; the encoder refuses an unclipped one', () => {
    const long = 'é'.repeat(150);
    expect(utf8(clipReason(long)).length).toBe(200);
    expect(() => encodeGatewayAnswer({ kind: 'onion-status', ticket, code: 'relay-refused', reason: long })).toThrow(RangeError);
  });

  it('refuses unknown codes, bad UTF-8, truncations, trailing bytes', () => {
    expect(decodeGatewayAnswer(Uint8Array.of(0xf5, ...ticket, 9))).toMatchObject({ ok: false, code: 'bad-value', offset: 9 });
    expect(decodeGatewayAnswer(Uint8Array.of(0xf5, ...ticket, 1, 0xff))).toMatchObject({ ok: false, code: 'bad-encoding', offset: 10 });
    expect(decodeGatewayAnswer(Uint8Array.of(0xf1))).toMatchObject({ ok: false, code: 'bad-kind' });
    const catalog = encodeGatewayAnswer({ kind: 'onion-catalog', ticket, code: 'ok', descriptors: [Uint8Array.of(1, 2, 3)] });
    for (let len = 0; len < catalog.length; len++) expect(decodeGatewayAnswer(catalog.subarray(0, len)).ok, `length ${len}`).toBe(false);
    expect(decodeGatewayAnswer(Uint8Array.of(...catalog, 0))).toMatchObject({ ok: false, code: 'trailing-bytes' });
  });

  it('random bytes never throw', () => {
    fc.assert(fc.property(fc.constantFrom(0xf5, 0xf6, 0x00), fc.uint8Array({ maxLength: 600 }), (kind, rest) => {
      const d = decodeGatewayAnswer(Uint8Array.of(kind, ...rest));
      expect(typeof d.ok).toBe('boolean');
    }), { numRuns: 3000 });
  });
});
