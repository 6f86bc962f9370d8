import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { sealBroadcast } from '../../protocol/envelope/broadcast.ts';
import { groupTag, sealGroupMessage } from '../../protocol/envelope/group.ts';
import { decodeEnvelopeHeader } from '../../protocol/envelope/header.ts';
import { REPLAY_WINDOW_SIZE, ReplayWindow } from '../../protocol/envelope/replay-window.ts';
import { sealSensorReading } from '../../protocol/envelope/sensor.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { sealPresence } from '../../protocol/session/presence.ts';
import { pair } from '../session/helpers.ts';
import { fuzzDecoder } from './fuzz-helpers.ts';

const suite = createPortableSuite();

function oneOfEachKind(): Uint8Array[] {
  const random = new SeededRandom('header');
  const { alice } = pair('header');
  return [
    alice.sealText('hello').envelope,
    sealGroupMessage(suite, { groupTag: groupTag(suite, random.bytes(16)), senderIndex: 1, key: random.bytes(32) }, 2, { type: 'text', text: 'hi' }),
    sealBroadcast(suite, random.bytes(32), 'storm', 2_000_000_000_000),
    sealPresence(suite, alice, 'udp://192.0.2.1:41325', 2_000_000_000_000, random),
    sealSensorReading(suite, random.bytes(32), 9, [{ quantity: 1, value: 2150 }]),
  ];
}

describe('decodeEnvelopeHeader', () => {
  it('reads the clear fields of every kind without keys', () => {
    const [direct, group, broadcast, presence, sensor] = oneOfEachKind();
    expect(decodeEnvelopeHeader(direct!)).toMatchObject({ ok: true, value: { kind: 'direct', version: 1, length: 32, sealedBytes: 22 } });
    expect(decodeEnvelopeHeader(group!)).toMatchObject({ ok: true, value: { kind: 'group', senderIndex: 1, counter: 2 } });
    expect(decodeEnvelopeHeader(broadcast!)).toMatchObject({ ok: true, value: { kind: 'broadcast', expiresAtSeconds: 2_000_000_000, text: 'storm' } });
    expect(decodeEnvelopeHeader(presence!)).toMatchObject({ ok: true, value: { kind: 'presence', expiresAtSeconds: 2_000_000_000 } });
    expect(decodeEnvelopeHeader(sensor!)).toMatchObject({ ok: true, value: { kind: 'sensor', counter: 9 } });
    const h = decodeEnvelopeHeader(direct!);
    expect(h.ok && 'mailboxTag' in h.value && h.value.mailboxTag).toMatch(/^[0-9a-f]{12}$/);
  });

  it('names empty, unknown version, unknown and reserved kinds, oversize input', () => {
    expect(decodeEnvelopeHeader(new Uint8Array(0))).toMatchObject({ ok: false, code: 'truncated' });
    expect(decodeEnvelopeHeader(Uint8Array.from([0x21, 0]))).toMatchObject({ ok: false, code: 'bad-version' });
    expect(decodeEnvelopeHeader(Uint8Array.from([0x1f, 0]))).toMatchObject({ ok: false, code: 'bad-kind' });
    const reserved = decodeEnvelopeHeader(Uint8Array.from([0x18, 0]));
    expect(reserved.ok ? '' : reserved.message).toMatch(/reserved/);
    expect(decodeEnvelopeHeader(new Uint8Array(4097).fill(0x11))).toMatchObject({ ok: false, code: 'too-long' });
  });

  it('every cut below a kind\'s minimum length is "truncated"; longer cuts parse (only keys can tell)', () => {
    // Minimum: clear header + smallest body + tag or signature. Ciphertexts and the
    // broadcast text have no length field, so a longer cut is structurally valid and
    // left to the AEAD or signature check.
    const minimum: Record<number, number> = { 0x11: 27, 0x12: 28, 0x13: 77, 0x14: 51, 0x15: 27 };
    for (const env of oneOfEachKind()) {
      const min = minimum[env[0] as number]!;
      for (let n = 1; n < env.length; n++) {
        const r = decodeEnvelopeHeader(env.subarray(0, n));
        expect(r.ok ? 'ok' : r.code, `kind ${env[0]} length ${n}`).toBe(n < min ? 'truncated' : 'ok');
      }
    }
  });

  it('fuzz: 100,000 random and mutated inputs never throw', () => {
    const { accepted } = fuzzDecoder('header-fuzz', 100_000, oneOfEachKind(), 120, decodeEnvelopeHeader);
    expect(accepted).toBeGreaterThan(1000);
  });
});

describe('replay window', () => {
  it('agrees with a model (set of accepted counters + window rule) on random sequences', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 600 }), { maxLength: 400 }), (counters) => {
      const w = new ReplayWindow();
      const accepted = new Set<number>();
      let highest = -1;
      for (const c of counters) {
        const expected = highest - c >= REPLAY_WINDOW_SIZE ? 'too-old' : accepted.has(c) ? 'seen' : 'fresh';
        expect(w.check(c)).toBe(expected);
        if (expected === 'fresh') {
          w.mark(c);
          accepted.add(c);
          highest = Math.max(highest, c);
        }
      }
      expect(w.highest).toBe(highest);
    }), { numRuns: 1000 });
  });

  it('handles jumps larger than the window and the edge of the window', () => {
    const w = new ReplayWindow();
    w.mark(5);
    w.mark(5 + 1000);
    expect(w.check(5)).toBe('too-old');
    expect(w.check(1005 - REPLAY_WINDOW_SIZE + 1)).toBe('fresh');
    expect(w.check(1005 - REPLAY_WINDOW_SIZE)).toBe('too-old');
    expect(w.check(1005)).toBe('seen');
  });
});
