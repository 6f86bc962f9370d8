import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import {
  broadcastKeyId, decodeBroadcast, openBroadcast, sealBroadcast,
} from '../../protocol/envelope/broadcast.ts';
import { EnvelopeError } from '../../protocol/envelope/errors.ts';
import {
  type GroupSenderEntry, decodeGroupHeader, groupTag, openGroupMessage, sealGroupMessage,
} from '../../protocol/envelope/group.ts';
import { decodePresence } from '../../protocol/envelope/presence.ts';
import { ReplayWindow } from '../../protocol/envelope/replay-window.ts';
import {
  SensorQuantity, decodeSensorHeader, openSensorReading, sealSensorReading, sensorId, sensorKeyFromAgreement,
} from '../../protocol/envelope/sensor.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { generateSideKeys, setupFor } from '../../protocol/session/pair.ts';
import { openPresence, sealPresence } from '../../protocol/session/presence.ts';
import { Session } from '../../protocol/session/session.ts';
import { pair } from '../session/helpers.ts';
import { fuzzDecoder } from './fuzz-helpers.ts';

const suite = createPortableSuite();
const NOW_MS = 1_780_000_000_000;

function everyBitFlip(bytes: Uint8Array, check: (tampered: Uint8Array, at: number) => void, bitsPerByte = 8): void {
  for (let i = 0; i < bytes.length; i++) {
    for (let k = 0; k < bitsPerByte; k++) {
      const bit = (i + k) % 8;
      const t = bytes.slice();
      t[i] = (t[i] as number) ^ (1 << bit);
      check(t, i);
    }
  }
}

describe('emergency broadcast', () => {
  const random = new SeededRandom('broadcast');
  const seed = random.bytes(32);
  const pub = suite.ed25519PublicKey(seed);
  const id = broadcastKeyId(suite, pub);
  const trusted = (keyId: Uint8Array) => (toHex(keyId) === toHex(id) ? pub : undefined);
  const env = sealBroadcast(suite, seed, 'Flood: go to the hill', NOW_MS + 3_600_000);

  it('is readable by all, verified by the trusted key, bounded by its expiry', () => {
    expect(env[0]).toBe(0x13);
    expect(toHex(env.subarray(1, 9))).toBe(toHex(id));
    expect(env.length).toBe(13 + 21 + 64);
    const open = openBroadcast(suite, env, trusted, NOW_MS);
    expect(open.ok && open.value.text).toBe('Flood: go to the hill');
    expect(openBroadcast(suite, env, trusted, NOW_MS + 3_600_000)).toMatchObject({ ok: false, code: 'expired' });
    expect(openBroadcast(suite, env, () => undefined, NOW_MS)).toMatchObject({ ok: false, code: 'unknown-sender' });
  });

  it('refuses a bit flip in every byte (signature covers header, expiry and text)', () => {
    // One bit per byte, rotating through the bit positions: each flip costs an Ed25519 verify.
    everyBitFlip(env, (t, at) => {
      const r = openBroadcast(suite, t, trusted, NOW_MS);
      expect(r.ok, `byte ${at}`).toBe(false);
    }, 1);
  });

  it('refuses truncations, oversize texts and bad UTF-8 with typed errors', () => {
    for (let n = 0; n < env.length - 21; n++) expect(decodeBroadcast(env.subarray(0, n)).ok).toBe(false);
    expect(() => sealBroadcast(suite, seed, 'x'.repeat(1025), NOW_MS)).toThrow(EnvelopeError);
    const bad = sealBroadcast(suite, seed, 'ab', NOW_MS).slice();
    bad[13] = 0xff;
    expect(decodeBroadcast(bad)).toMatchObject({ ok: false, code: 'bad-encoding', offset: 13 });
  });

  it('fuzz: 100,000 inputs to the decoder; 1,000 to the verifier (Ed25519 verify dominates)', () => {
    expect(fuzzDecoder('broadcast-fuzz', 100_000, [env], 120, decodeBroadcast).accepted).toBeGreaterThan(0);
    const { accepted } = fuzzDecoder('broadcast-open-fuzz', 1_000, [env], 120, (b) => openBroadcast(suite, b, trusted, NOW_MS));
    expect(accepted).toBeLessThanOrEqual(500); // only untouched copies verify
  });
});

describe('presence', () => {
  it('is readable only by the peer, filed under the publisher mailbox, bounded by its expiry', () => {
    const { alice, bob, random } = pair('presence');
    const env = sealPresence(suite, alice, 'udp://10.0.0.7:41325', NOW_MS + 600_000, random);
    const d = decodePresence(env);
    expect(d.ok && toHex(d.value.mailboxTag)).toBe(toHex(alice.mailboxes(0)[0]!.tag));
    expect(env.length).toBe(35 + 20 + 16);
    const got = openPresence(suite, bob, env, NOW_MS);
    expect(got.ok && got.value.address).toBe('udp://10.0.0.7:41325');
    expect(openPresence(suite, bob, env, NOW_MS + 600_000)).toMatchObject({ ok: false, code: 'expired' });
    // Someone else who holds Alice's card (so files presence under the same tag) cannot read it.
    const { aliceKeys } = pair('presence');
    const mallory = generateSideKeys(suite, new SeededRandom('presence-mallory'));
    const stranger = Session.create(suite, setupFor(mallory, aliceKeys), random);
    expect(toHex(stranger.peerMailboxTag)).toBe(toHex(alice.mailboxes(0)[0]!.tag));
    expect(openPresence(suite, stranger, env, NOW_MS)).toMatchObject({ ok: false, code: 'bad-mac' });
    expect(openPresence(suite, alice, env, NOW_MS)).toMatchObject({ ok: false, code: 'unknown-mailbox' });
    everyBitFlip(env, (t, at) => expect(openPresence(suite, bob, t, NOW_MS).ok, `byte ${at}`).toBe(false));
  });

  it('fuzz: 100,000 inputs to the decoder and to openPresence', () => {
    const { alice, bob, random } = pair('presence-fuzz');
    const env = sealPresence(suite, alice, 'mesh://0011223344556677', NOW_MS + 600_000, random);
    expect(fuzzDecoder('presence-fuzz', 100_000, [env], 100, decodePresence).accepted).toBeGreaterThan(0);
    const { accepted } = fuzzDecoder('presence-open-fuzz', 100_000, [env], 100, (b) => openPresence(suite, bob, b, NOW_MS));
    expect(accepted).toBeLessThan(50_000 / 10);
  });
});

describe('sensor reading', () => {
  const random = new SeededRandom('sensor');
  const device = random.bytes(32);
  const collector = random.bytes(32);
  const key = sensorKeyFromAgreement(suite, device, suite.x25519PublicKey(collector))!;
  const sameKey = sensorKeyFromAgreement(suite, collector, suite.x25519PublicKey(device))!;
  const readings = [{ quantity: SensorQuantity.temperatureCentiCelsius, value: -1234 }, { quantity: SensorQuantity.batteryMillivolt, value: 3712 }];

  it('both ends derive one key; one temperature costs 28 bytes; readings round-trip', () => {
    expect(toHex(key)).toBe(toHex(sameKey));
    expect(sensorKeyFromAgreement(suite, device, new Uint8Array(32))).toBeUndefined();
    const one = sealSensorReading(suite, key, 0, [{ quantity: 1, value: 2150 }]);
    expect(one.length).toBe(28); // 9 header + (1 quantity + 2 varint) + 16 tag
    const env = sealSensorReading(suite, key, 7, readings);
    const window = new ReplayWindow();
    const lookup = (id: Uint8Array) => (toHex(id) === toHex(sensorId(suite, key)) ? { key: sameKey, window } : undefined);
    const r = openSensorReading(suite, env, lookup);
    expect(r.ok && r.value).toMatchObject({ counter: 7, readings });
    expect(openSensorReading(suite, env, lookup)).toMatchObject({ ok: false, code: 'replay' });
    expect(openSensorReading(suite, env, () => undefined)).toMatchObject({ ok: false, code: 'unknown-sender' });
    const extremes = [{ quantity: 255, value: 2 ** 31 - 1 }, { quantity: 0, value: -(2 ** 31 - 1) }];
    const e = openSensorReading(suite, sealSensorReading(suite, key, 8, extremes), lookup);
    expect(e.ok && e.value.readings).toEqual(extremes);
    expect(() => sealSensorReading(suite, key, 9, [{ quantity: 1, value: 2 ** 31 }])).toThrow(EnvelopeError);
    expect(() => sealSensorReading(suite, key, 9, [])).toThrow(EnvelopeError);
  });

  it('refuses every bit flip, and fuzz: 100,000 inputs to decoder and opener', () => {
    const env = sealSensorReading(suite, key, 3, readings);
    const idHex = toHex(sensorId(suite, key));
    const fresh = (id: Uint8Array) => (toHex(id) === idHex ? { key, window: new ReplayWindow() } : undefined);
    everyBitFlip(env, (t, at) => expect(openSensorReading(suite, t, fresh).ok, `byte ${at}`).toBe(false));
    expect(fuzzDecoder('sensor-fuzz', 100_000, [env], 60, decodeSensorHeader).accepted).toBeGreaterThan(0);
    const { accepted } = fuzzDecoder('sensor-open-fuzz', 100_000, [env], 60, (b) => openSensorReading(suite, b, fresh));
    expect(accepted).toBeLessThan(5000);
  });
});

describe('group message', () => {
  const random = new SeededRandom('group');
  const tag = groupTag(suite, random.bytes(16));
  const sender = { groupTag: tag, senderIndex: 3, key: random.bytes(32) };

  function member(): (t: Uint8Array, index: number) => GroupSenderEntry | undefined {
    const windows = new Map<number, ReplayWindow>();
    return (t, index) => {
      if (toHex(t) !== toHex(tag) || index !== 3) return undefined;
      if (!windows.has(index)) windows.set(index, new ReplayWindow());
      return { key: sender.key, window: windows.get(index)! };
    };
  }

  it('round-trips, refuses replays, strangers and bit flips; a 5-byte text costs 33 bytes', () => {
    const env = sealGroupMessage(suite, sender, 41, { type: 'text', text: 'hello' });
    expect(env.length).toBe(11 + 6 + 16);
    const d = decodeGroupHeader(env);
    expect(d.ok && d.value).toMatchObject({ senderIndex: 3, counter: 41 });
    const lookup = member();
    const r = openGroupMessage(suite, env, lookup);
    expect(r.ok && r.value.body).toEqual({ type: 'text', text: 'hello' });
    expect(openGroupMessage(suite, env, lookup)).toMatchObject({ ok: false, code: 'replay' });
    expect(openGroupMessage(suite, env, () => undefined)).toMatchObject({ ok: false, code: 'unknown-sender' });
    const fresh = member();
    everyBitFlip(env, (t, at) => expect(openGroupMessage(suite, t, fresh).ok, `byte ${at}`).toBe(false));
    expect(() => sealGroupMessage(suite, sender, 0, { type: 'none' })).toThrow(EnvelopeError);
  });

  it('fuzz: 100,000 inputs to decoder and opener', () => {
    const env = sealGroupMessage(suite, sender, 1, { type: 'text', text: 'hello group' });
    expect(fuzzDecoder('group-fuzz', 100_000, [env], 60, decodeGroupHeader).accepted).toBeGreaterThan(0);
    const lookup = member();
    const { accepted } = fuzzDecoder('group-open-fuzz', 100_000, [env], 60, (b) => openGroupMessage(suite, b, lookup));
    expect(accepted).toBe(1);
  });
});
