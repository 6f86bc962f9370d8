/** Round-trip properties (fast-check) for the envelope kinds beside direct/inner. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { broadcastKeyId, decodeBroadcast, openBroadcast, sealBroadcast } from '../../protocol/envelope/broadcast.ts';
import { openGroupMessage, sealGroupMessage } from '../../protocol/envelope/group.ts';
import { ReplayWindow } from '../../protocol/envelope/replay-window.ts';
import { openSensorReading, sealSensorReading } from '../../protocol/envelope/sensor.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { openPresence, sealPresence } from '../../protocol/session/presence.ts';
import { encodeSessionState, restoreSession } from '../../protocol/session/state-codec.ts';
import { pair } from '../session/helpers.ts';

const suite = createPortableSuite();
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const MAX_EXPIRY_MS = 0xffffffff * 1000;

describe('round trips', () => {
  it('sensor readings: any 1..16 readings, any counter', () => {
    fc.assert(fc.property(
      bytes(32), fc.integer({ min: 0, max: 0xffffffff }),
      fc.array(fc.record({ quantity: fc.integer({ min: 0, max: 255 }), value: fc.integer({ min: -(2 ** 31 - 1), max: 2 ** 31 - 1 }) }), { minLength: 1, maxLength: 16 }),
      (key, counter, readings) => {
        const r = openSensorReading(suite, sealSensorReading(suite, key, counter, readings), () => ({ key, window: new ReplayWindow() }));
        expect(r.ok && r.value).toMatchObject({ counter, readings });
      },
    ), { numRuns: 500 });
  });

  it('group messages: any sender, counter and body', () => {
    fc.assert(fc.property(
      bytes(6), fc.integer({ min: 0, max: 255 }), bytes(32), fc.integer({ min: 0, max: 0xffffff }),
      fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }).map((text) => ({ type: 'text' as const, text })),
        fc.uint8Array({ maxLength: 80 }).map((b) => ({ type: 'data' as const, bytes: b }))),
      (groupTag, senderIndex, key, counter, body) => {
        const env = sealGroupMessage(suite, { groupTag, senderIndex, key }, counter, body);
        const r = openGroupMessage(suite, env, (t, i) => (toHex(t) === toHex(groupTag) && i === senderIndex ? { key, window: new ReplayWindow() } : undefined));
        expect(r.ok && r.value).toMatchObject({ senderIndex, counter, body });
      },
    ), { numRuns: 500 });
  });

  it('broadcasts: any text up to the cap and any expiry (Ed25519: 40 runs)', () => {
    const seed = new SeededRandom('broadcast-prop').bytes(32);
    const pub = suite.ed25519PublicKey(seed);
    const id = toHex(broadcastKeyId(suite, pub));
    fc.assert(fc.property(
      fc.string({ unit: 'grapheme', maxLength: 200 }).filter((t) => new TextEncoder().encode(t).length <= 1024),
      fc.integer({ min: 1000, max: MAX_EXPIRY_MS }),
      (text, expiresAtMs) => {
        const env = sealBroadcast(suite, seed, text, expiresAtMs);
        const d = decodeBroadcast(env);
        expect(d.ok && d.value).toMatchObject({ text, expiresAtSeconds: Math.floor(expiresAtMs / 1000) });
        const r = openBroadcast(suite, env, (k) => (toHex(k) === id ? pub : undefined), 0);
        expect(r.ok && r.value.text).toBe(text);
      },
    ), { numRuns: 40 });
  });

  it('presence: any address up to the cap', () => {
    const { alice, bob, random } = pair('presence-prop');
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }).filter((t) => new TextEncoder().encode(t).length <= 255), (address) => {
      const r = openPresence(suite, bob, sealPresence(suite, alice, address, MAX_EXPIRY_MS, random), 0);
      expect(r.ok && r.value.address).toBe(address);
    }), { numRuns: 300 });
  });

  it('session state: restore after any sequence of sends and rotations is byte-identical', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 12 }), fc.integer(), (actions, seed) => {
      const { alice, bob, random } = pair(`state-prop-${seed}`);
      for (const a of actions) {
        if (a === 0) alice.rotateEncryptionKey(random);
        else if (a === 1) bob.rotateLookupKey(random);
        else if (a === 2) bob.open(alice.sealText('a').envelope, 0);
        else if (a === 3) alice.open(bob.sealText('b').envelope, 0);
        else alice.sealText('lost');
      }
      for (const s of [alice, bob]) {
        const b = encodeSessionState(s);
        const r = restoreSession(suite, b, random);
        expect(r.ok && toHex(encodeSessionState(r.value))).toBe(toHex(b));
      }
    }), { numRuns: 40 });
  });
});
