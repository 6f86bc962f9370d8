import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { computeFrameId, defaultMeshKey, messageKey, verifyFrameId } from '../../protocol/mesh/frame-auth.ts';
import { BROADCAST_HINT, FrameKind, type MeshFrame } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame, encodeFrame, type FrameFields, relayFloodFrame, relayRoutedFrame } from '../../protocol/mesh/frame.ts';
import { MeshError } from '../../protocol/mesh/errors.ts';
import { FuzzBytes } from './fuzz-helpers.ts';

const suite = createPortableSuite();
const key = new Uint8Array(32).fill(7);

function reencode(f: MeshFrame): Uint8Array {
  return encodeFrame({ ...f, ...(f.sourceHint !== undefined && { sourceHint: f.sourceHint }) }, f.frameId);
}

describe('mesh frame codec', () => {
  it('encodes a routed 1-hop data frame carrying a 32-byte envelope in exactly 40 bytes (annotated fixture)', () => {
    const envelope = new Uint8Array(32).map((_, i) => i);
    const fields: FrameFields = { kind: FrameKind.data, limit: 0, routed: true, attempt: 1, destHint: 0xbeef, route: new Uint8Array(0), payload: envelope };
    const bytes = encodeFrame(fields, 0x01020304);
    expect(bytes.length).toBe(40);
    expect(toHex(bytes.subarray(0, 8))).toBe([
      '00',        // kind 0 (data) << 5 | limit 0 (no relay: the destination is a neighbour)
      '05',        // hops 0 << 3 | routed (bit 2) | attempt 1
      'beef',      // destination hint
      '01020304',  // frame id
    ].join(''));
    expect(bytes.subarray(8)).toEqual(envelope);
  });

  it('encodes a flood with its source hint and relay hints (annotated fixture)', () => {
    const f: FrameFields = { kind: FrameKind.fragment, limit: 20, hops: 2, routed: false, attempt: 3, destHint: 0x1234, sourceHint: 0xa1b2, route: fromHex('c3d4') as Uint8Array, payload: fromHex('ff') as Uint8Array };
    expect(toHex(encodeFrame(f, 0xdeadbeef))).toBe([
      '34',        // kind 1 (fragment) << 5 | limit 20
      '13',        // hops 2 << 3 | flood (bit 2 clear) | attempt 3
      '1234',      // destination hint
      'deadbeef',  // frame id
      'a1b2',      // source hint (floods only)
      'c3d4',      // relay hints, one byte per relay crossed
      'ff',        // payload
    ].join(''));
  });

  it('the frame id is the first 4 bytes of HMAC-SHA-256 over the authenticated fields (checked against node:crypto)', () => {
    const f: FrameFields = { kind: FrameKind.data, limit: 3, routed: true, attempt: 2, destHint: 0x0102, route: fromHex('aabbcc') as Uint8Array, payload: fromHex('68656c6c6f') as Uint8Array };
    const input = Buffer.from('01' + '03' + '06' + '0102' + 'aabbcc' + '68656c6c6f', 'hex');
    const expected = createHmac('sha256', key).update(input).digest().readUInt32BE(0);
    expect(computeFrameId(suite, key, f)).toBe(expected);
  });

  it('round-trips arbitrary frames', () => {
    const arb = fc.record({
      kind: fc.integer({ min: 0, max: 5 }), routed: fc.boolean(), limit: fc.integer({ min: 0, max: 31 }),
      hopsFrac: fc.double({ min: 0, max: 1, noNaN: true }), attempt: fc.integer({ min: 0, max: 3 }),
      destHint: fc.integer({ min: 0, max: 0xffff }), sourceHint: fc.integer({ min: 0, max: 0xffff }),
      payload: fc.uint8Array({ maxLength: 150 }), id: fc.integer({ min: 0, max: 0xffffffff }), seed: fc.uint8Array({ minLength: 31, maxLength: 31 }),
    });
    fc.assert(fc.property(arb, (a) => {
      const hops = Math.floor(a.hopsFrac * a.limit);
      const route = a.seed.slice(0, a.routed ? a.limit : hops);
      const f: FrameFields = { kind: a.kind as FrameKind, limit: a.limit, hops, routed: a.routed, attempt: a.attempt, destHint: a.destHint, route, payload: a.payload, ...(!a.routed && { sourceHint: a.sourceHint }) };
      const bytes = encodeFrame(f, a.id);
      const d = decodeFrame(bytes);
      expect(d.ok).toBe(true);
      if (!d.ok) return;
      expect(d.value).toMatchObject({ kind: a.kind, limit: a.limit, hops, routed: a.routed, attempt: a.attempt, destHint: a.destHint, frameId: a.id });
      expect(d.value.sourceHint).toBe(a.routed ? undefined : a.sourceHint);
      expect(d.value.route).toEqual(route);
      expect(d.value.payload).toEqual(a.payload);
    }), { numRuns: 2000 });
  });

  it('refuses every truncation of the header and route with a typed error', () => {
    const f: FrameFields = { kind: FrameKind.data, limit: 9, hops: 4, routed: false, destHint: 1, sourceHint: 2, route: fromHex('01020304') as Uint8Array, payload: fromHex('aa') as Uint8Array };
    const bytes = encodeFrame(f, 42);
    for (let n = 0; n < bytes.length - 1; n++) {
      const d = decodeFrame(bytes.subarray(0, n));
      expect(d.ok, `length ${n}`).toBe(false);
      if (!d.ok) expect(d.code).toBe('truncated');
    }
    // Cutting into the payload leaves a well-formed frame whose MAC no longer verifies.
    const id = computeFrameId(suite, key, f);
    const full = encodeFrame(f, id);
    const cut = decodeFrame(full.subarray(0, full.length - 1));
    expect(cut.ok && verifyFrameId(suite, key, cut.value)).toBe(false);
  });

  it('refuses unknown kinds, hops over the limit and frames over the MTU', () => {
    expect(decodeFrame(fromHex('e0000000000000000000') as Uint8Array)).toMatchObject({ ok: false, code: 'bad-kind' });
    expect(decodeFrame(fromHex('0118ffff00000000') as Uint8Array)).toMatchObject({ ok: false, code: 'bad-value' });
    expect(decodeFrame(new Uint8Array(256))).toMatchObject({ ok: false, code: 'too-long' });
    expect(decodeFrame(new Uint8Array(100), 64)).toMatchObject({ ok: false, code: 'too-long' });
  });

  it('survives 100,000 random and mutated inputs, and every accepted input re-encodes to itself', () => {
    const fuzz = new FuzzBytes(1);
    const valid = [
      encodeFrame({ kind: FrameKind.data, limit: 0, routed: true, destHint: 5, route: new Uint8Array(0), payload: new Uint8Array(32) }, 1),
      encodeFrame({ kind: FrameKind.ack, limit: 3, hops: 1, routed: true, destHint: 5, route: fromHex('010203') as Uint8Array, payload: new Uint8Array(8) }, 2),
      encodeFrame({ kind: FrameKind.announce, limit: 4, hops: 2, routed: false, destHint: BROADCAST_HINT, sourceHint: 9, route: fromHex('0102') as Uint8Array, payload: new Uint8Array(101) }, 3),
    ];
    let accepted = 0;
    const mismatches: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const input = i % 2 === 0 ? fuzz.bytes(fuzz.int(64)) : fuzz.mutate(valid[i % valid.length] as Uint8Array);
      const d = decodeFrame(input);
      if (!d.ok) {
        if (!(d.offset >= 0 && d.offset <= 255)) mismatches.push(`bad offset for ${toHex(input)}`);
        continue;
      }
      accepted++;
      if (toHex(reencode(d.value)) !== toHex(input)) mismatches.push(toHex(input));
    }
    expect(mismatches).toEqual([]);
    expect(accepted).toBeGreaterThan(1000);
  });
});

describe('frame authentication and relaying', () => {
  const flood: FrameFields = { kind: FrameKind.data, limit: 5, routed: false, destHint: 0x4242, sourceHint: 0x1111, payload: fromHex('0102030405') as Uint8Array };

  it('keeps the frame id and its validity across re-broadcast (hops and relay hints are not authenticated)', () => {
    const id = computeFrameId(suite, key, flood);
    const first = decodeFrame(encodeFrame(flood, id));
    if (!first.ok) throw new Error('decode');
    const relayed = decodeFrame(relayFloodFrame(first.value, 0xab));
    if (!relayed.ok) throw new Error('decode');
    expect(relayed.value.frameId).toBe(id);
    expect(relayed.value.hops).toBe(1);
    expect(toHex(relayed.value.route)).toBe('ab');
    expect(verifyFrameId(suite, key, relayed.value)).toBe(true);
    const again = decodeFrame(relayFloodFrame(relayed.value, 0xcd));
    expect(again.ok && toHex(again.value.route)).toBe('abcd');
  });

  it('stops at the hop limit', () => {
    const last = decodeFrame(encodeFrame({ ...flood, hops: 5, route: new Uint8Array(5) }, 1));
    if (!last.ok) throw new Error('decode');
    expect(() => relayFloodFrame(last.value, 1)).toThrow(MeshError);
  });

  it('rejects a forged or altered frame: any authenticated bit, the wrong key', () => {
    const id = computeFrameId(suite, key, flood);
    const bytes = encodeFrame(flood, id);
    const authenticatedBits = [0, 2, 3, 8, 9, 10, 11, 12, 13, 14];
    for (const at of authenticatedBits) {
      const forged = bytes.slice();
      forged[at] = (forged[at] as number) ^ 0x01;
      const d = decodeFrame(forged);
      if (d.ok) expect(verifyFrameId(suite, key, d.value), `byte ${at}`).toBe(false);
    }
    const flag = bytes.slice();
    flag[1] = (flag[1] as number) ^ 0x01; // attempt bit is authenticated
    const fd = decodeFrame(flag);
    expect(fd.ok && verifyFrameId(suite, key, fd.value)).toBe(false);
    const d = decodeFrame(bytes);
    expect(d.ok && verifyFrameId(suite, new Uint8Array(32), d.value)).toBe(false);
    expect(d.ok && verifyFrameId(suite, key, d.value)).toBe(true);
  });

  it('routed frames authenticate their route; relays advance the hop counter only', () => {
    const f: FrameFields = { kind: FrameKind.data, limit: 2, routed: true, destHint: 3, route: fromHex('0a0b') as Uint8Array, payload: fromHex('00') as Uint8Array };
    const id = computeFrameId(suite, key, f);
    const d = decodeFrame(encodeFrame(f, id));
    if (!d.ok) throw new Error('decode');
    const next = decodeFrame(relayRoutedFrame(d.value));
    expect(next.ok && next.value.hops).toBe(1);
    expect(next.ok && verifyFrameId(suite, key, next.value)).toBe(true);
    const tampered = encodeFrame({ ...f, route: fromHex('0a0c') as Uint8Array }, id);
    const t = decodeFrame(tampered);
    expect(t.ok && verifyFrameId(suite, key, t.value)).toBe(false);
  });

  it('the message key is the same for every attempt and route, and differs per payload', () => {
    const a = messageKey(suite, key, FrameKind.data, 7, fromHex('01') as Uint8Array);
    expect(messageKey(suite, key, FrameKind.data, 7, fromHex('01') as Uint8Array)).toBe(a);
    expect(messageKey(suite, key, FrameKind.data, 7, fromHex('02') as Uint8Array)).not.toBe(a);
    expect(messageKey(suite, key, FrameKind.data, 8, fromHex('01') as Uint8Array)).not.toBe(a);
  });

  it('the default mesh key is SHA-256 of its label', () => {
    expect(toHex(defaultMeshKey(suite))).toBe(toHex(suite.sha256(new TextEncoder().encode('meow-mesh-default-key-v1'))));
  });

  it('refuses misuse in the encoder', () => {
    expect(() => encodeFrame({ ...flood, limit: 32 }, 1)).toThrow(MeshError);
    expect(() => encodeFrame({ ...flood, kind: 7 as FrameKind }, 1)).toThrow(MeshError);
    expect(() => encodeFrame({ ...flood, hops: 1 }, 1)).toThrow(MeshError); // route bytes missing
    expect(() => encodeFrame({ ...flood, sourceHint: undefined }, 1)).toThrow(MeshError);
    expect(() => computeFrameId(suite, new Uint8Array(16), flood)).toThrow(MeshError);
  });
});

describe('mesh frame vectors (test/vectors/mesh/frames.json)', () => {
  it('decodes every vector, verifies its id under the vector key, and re-encodes it byte for byte', async () => {
    const { readFileSync } = await import('node:fs');
    const file = JSON.parse(readFileSync(new URL('../vectors/mesh/frames.json', import.meta.url), 'utf8')) as {
      meshKeyHex: string; vectors: { name: string; frameHex: string; frameIdHex: string }[];
    };
    const vkey = fromHex(file.meshKeyHex) as Uint8Array;
    expect(file.vectors.length).toBe(4);
    for (const v of file.vectors) {
      const d = decodeFrame(fromHex(v.frameHex) as Uint8Array);
      expect(d.ok, v.name).toBe(true);
      if (!d.ok) continue;
      expect(d.value.frameId.toString(16).padStart(8, '0'), v.name).toBe(v.frameIdHex);
      expect(verifyFrameId(suite, vkey, d.value), v.name).toBe(true);
      expect(toHex(reencode(d.value)), v.name).toBe(v.frameHex);
      const fields = { ...d.value, hops: d.value.routed ? d.value.hops : 0, route: d.value.routed ? d.value.route : new Uint8Array(0), ...(d.value.sourceHint !== undefined && { sourceHint: d.value.sourceHint }) };
      expect(computeFrameId(suite, vkey, fields).toString(16).padStart(8, '0'), v.name).toBe(v.frameIdHex);
    }
    expect(fromHex(file.vectors[0]!.frameHex)!.length).toBe(40);
  });
});
