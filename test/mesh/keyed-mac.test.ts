import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { ackProof, computeFrameId, messageKey, verifyFrameId } from '../../protocol/mesh/frame-auth.ts';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame, encodeFrame, type FrameFields } from '../../protocol/mesh/frame.ts';
import { mac32 } from '../../protocol/mesh/keyed-mac.ts';

const suite = createPortableSuite();

function hmac32(key: Uint8Array, ...parts: Uint8Array[]): number {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest().readUInt32BE(0);
}

const bytes = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });

describe('keyed HMAC-SHA-256 (protocol/mesh/keyed-mac.ts)', () => {
  it('equals node:crypto HMAC-SHA-256 for any key and any split of the input, across block boundaries and interleaved keys', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), bytes(70), bytes(70), bytes(200), (k1, k2, a, b, c) => {
      expect(mac32(k1, a, b, c)).toBe(hmac32(k1, a, b, c));
      expect(mac32(k2, a, b)).toBe(hmac32(k2, a, b));
      expect(mac32(k1, a, b)).toBe(hmac32(k1, a, b));
    }), { numRuns: 500 });
  });

  it('follows a key array changed in place after its first use (never a stale MAC)', () => {
    const key = new Uint8Array(32).fill(1);
    const input = new Uint8Array([1, 2, 3]);
    expect(mac32(key, input, input)).toBe(hmac32(key, input, input));
    key[31] = 2;
    expect(mac32(key, input, input)).toBe(hmac32(key, input, input));
    expect(mac32(key, input, input)).not.toBe(hmac32(new Uint8Array(32).fill(1), input, input));
  });

  it('frame ids, message keys and ack proofs are the documented HMACs (docs/PROTOCOL.md), byte for byte', () => {
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ minLength: 5, maxLength: 5 }), bytes(180), fc.uint8Array({ minLength: 8, maxLength: 8 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      (key, routed, attempt, destHint, sourceHint, route, payload, nodeId, acked) => {
        const f: FrameFields = routed
          ? { kind: FrameKind.data, limit: 5, routed, attempt, destHint, route, payload }
          : { kind: FrameKind.data, limit: 5, routed, attempt, destHint, sourceHint, route: new Uint8Array(0), payload };
        const authenticated = routed ? route : new Uint8Array([sourceHint >>> 8, sourceHint & 0xff]);
        const id = hmac32(key, new Uint8Array([0x01, (FrameKind.data << 5) | 5, (routed ? 4 : 0) | attempt, destHint >>> 8, destHint & 0xff]), authenticated, payload);
        expect(computeFrameId(suite, key, f)).toBe(id);
        const decoded = decodeFrame(encodeFrame(f, id));
        expect(decoded.ok && verifyFrameId(suite, key, decoded.value)).toBe(true);
        const forged = decodeFrame(encodeFrame(f, (id ^ 1) >>> 0));
        expect(forged.ok && verifyFrameId(suite, key, forged.value)).toBe(false);
        expect(messageKey(suite, key, FrameKind.data, destHint, payload))
          .toBe(hmac32(key, new Uint8Array([0x02, FrameKind.data, destHint >>> 8, destHint & 0xff]), payload));
        const proofInput = new Uint8Array(13);
        proofInput[0] = 0x03;
        proofInput.set(nodeId, 1);
        new DataView(proofInput.buffer).setUint32(9, acked);
        expect(toHex(ackProof(suite, key, nodeId, acked))).toBe(createHmac('sha256', key).update(proofInput).digest().subarray(0, 4).toString('hex'));
      },
    ), { numRuns: 300 });
  });
});
