/** Fuzzing the onion decoders (STYLE.md rule 11): round trip, every truncation, random bytes; never a throw. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { buildOnion } from '../../protocol/onion/build.ts';
import { ONION_CLASSES, ONION_FRAME_TYPE, onionPacketBytes } from '../../protocol/onion/constants.ts';
import { decodeOnionPacket, encodeOnionPacket } from '../../protocol/onion/packet.ts';
import { verifyHop } from '../../protocol/onion/peel.ts';
import { decodeFinalPayload, encodeFinalPayload, maxDepositBytes } from '../../protocol/onion/payload.ts';

const suite = createNodeSuite();
const secret = suite.sha256(utf8('relay-0'));
const hop = { serverId: new Uint8Array(8).fill(7), onionKey: suite.x25519PublicKey(secret), delayCode: 3 };
const c = ONION_CLASSES.radio;

describe('onion packet decoder', () => {
  it('round trips every field', () => {
    const packet = buildOnion(suite, new SeededRandom('fuzz'), c, [hop], encodeFinalPayload(c, Uint8Array.of(1, 2, 3)));
    const d = decodeOnionPacket(packet);
    expect(d.ok && toHex(encodeOnionPacket(d.value))).toBe(toHex(packet));
  });

  it('refuses every truncation and every extension as no class, never throwing', () => {
    const packet = buildOnion(suite, new SeededRandom('fuzz'), c, [hop], encodeFinalPayload(c, Uint8Array.of(1, 2, 3)));
    for (let len = 0; len < packet.length; len++) {
      const d = decodeOnionPacket(packet.subarray(0, len));
      expect(d.ok, `length ${len}`).toBe(false);
      if (!d.ok) expect(d.code).toBe(len === 0 ? 'truncated' : 'bad-value');
    }
    const longer = new Uint8Array(packet.length + 1);
    longer.set(packet);
    expect(decodeOnionPacket(longer).ok).toBe(false);
  });

  it('random bytes: typed result; random packets of a class size fail the MAC', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      const d = decodeOnionPacket(bytes);
      if (!d.ok) return;
      const v = verifyHop(suite, secret, d.value);
      expect(v.ok).toBe(false);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.uint8Array({ minLength: onionPacketBytes(c), maxLength: onionPacketBytes(c) }), (bytes) => {
      bytes[0] = ONION_FRAME_TYPE;
      const d = decodeOnionPacket(bytes);
      expect(d.ok).toBe(true);
      if (!d.ok) return;
      const v = verifyHop(suite, secret, d.value);
      expect(v.ok ? 'ok' : v.code).toMatch(/^bad-(mac|key)$/);
    }), { numRuns: 200 });
  });
});

describe('final payload decoder', () => {
  it('round trips any deposit that fits, and refuses one that does not', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: maxDepositBytes(c) - 1 }), (rest) => {
      const deposit = Uint8Array.of(0x01, ...rest);
      const d = decodeFinalPayload(encodeFinalPayload(c, deposit));
      expect(d.ok && toHex(d.value)).toBe(toHex(deposit));
    }), { numRuns: 200 });
    expect(() => encodeFinalPayload(c, new Uint8Array(maxDepositBytes(c) + 1).fill(1))).toThrow(/exceeds/);
    expect(() => encodeFinalPayload(c, Uint8Array.of(0x03))).toThrow(/deposit request only/);
  });

  it('random bytes and every truncation give typed results', () => {
    const payload = encodeFinalPayload(c, Uint8Array.of(1, 9, 9));
    for (let len = 0; len < payload.length; len++) expect(() => decodeFinalPayload(payload.subarray(0, len))).not.toThrow();
    expect(decodeFinalPayload(payload.subarray(0, 1)).ok).toBe(false);
    expect(decodeFinalPayload(payload.subarray(0, 4)).ok).toBe(false);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const d = decodeFinalPayload(bytes);
      if (d.ok) expect(d.value[0]).toBe(0x01);
    }), { numRuns: 500 });
  });
});
