/** The social control codec: exact bytes, round trips, every truncation, random and mutated bytes never throw. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../protocol/codec/bytes.ts';
import { type ControlMessage, decodeControl, encodeControl } from '../../../agent/social/control.ts';
import { FuzzRandom, mutate, randomInput } from '../../envelope/fuzz-helpers.ts';

const id = (b: number): Uint8Array => new Uint8Array(16).fill(b);
const key = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const name = fc.string({ maxLength: 10 });
const mailbox = fc.record({ lookupKey: fc.uint8Array({ minLength: 32, maxLength: 32 }), servers: fc.array(fc.string({ maxLength: 16 }), { maxLength: 2 }) });
const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 });

const message: fc.Arbitrary<ControlMessage> = fc.oneof(
  fc.record({ type: fc.constant('group-invite' as const), groupId: bytes16, name }),
  fc.record({ type: fc.constant('group-join' as const), groupId: bytes16, mailbox }),
  fc.record({ type: fc.constant('group-removed' as const), groupId: bytes16 }),
  fc.record({ type: fc.constant('group-leave' as const), groupId: bytes16 }),
  fc.uniqueArray(fc.record({ index: fc.integer({ min: 0, max: 255 }), name, senderKey: fc.uint8Array({ minLength: 32, maxLength: 32 }), mailbox }),
    { minLength: 1, maxLength: 16, selector: (m) => m.index })
    .chain((members) => fc.record({
      type: fc.constant('group-keys' as const), groupId: bytes16, epoch: fc.integer({ min: 0, max: 0xffffffff }),
      yourIndex: fc.constantFrom(...members.map((m) => m.index)), name, members: fc.constant(members),
    })),
  fc.record({ type: fc.constant('intro-offer' as const), introId: bytes16, role: fc.constantFrom('invite' as const, 'answer' as const), peerName: name }),
  fc.record({ type: fc.constant('intro-accept' as const), introId: bytes16, card: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ type: fc.constant('intro-refuse' as const), introId: bytes16 }),
  fc.record({ type: fc.constant('intro-card' as const), introId: bytes16, card: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
);

describe('social control codec', () => {
  it('encodes a group invitation to the documented bytes', () => {
    expect(toHex(encodeControl({ type: 'group-invite', groupId: id(0xaa), name: 'ab' }))).toBe(
      `4d5301 01 ${'aa'.repeat(16)} 02 6162`.replace(/ /g, ''));
    expect(toHex(encodeControl({ type: 'group-join', groupId: id(1), mailbox: { lookupKey: key(2), servers: ['u'] } }))).toBe(
      `4d5301 02 ${'01'.repeat(16)} ${'02'.repeat(32)} 01 01 75`.replace(/ /g, ''));
  });

  it('round trips every message type', () => {
    fc.assert(fc.property(message, (m) => {
      const d = decodeControl(encodeControl(m));
      expect(d.ok && d.value).toEqual(m);
    }), { numRuns: 300 });
  });

  it('refuses every truncation with an offset inside the input', () => {
    fc.assert(fc.property(message, (m) => {
      const bytes = encodeControl(m);
      for (let n = 0; n < bytes.length; n++) {
        const d = decodeControl(bytes.subarray(0, n));
        expect(d.ok).toBe(false);
        if (!d.ok) expect(d.offset).toBeLessThanOrEqual(n);
      }
    }), { numRuns: 100 });
  });

  it('never throws on random or mutated bytes', () => {
    const rnd = new FuzzRandom('social-control');
    const seeds = fc.sample(message, 50).map(encodeControl);
    for (let i = 0; i < 20_000; i++) {
      const input = i % 2 === 0 ? randomInput(rnd, 200) : mutate(rnd, seeds[i % seeds.length]!);
      const d = decodeControl(input);
      if (d.ok) expect(decodeControl(encodeControl(d.value)).ok).toBe(true);
    }
  });

  it('refuses oversized fields when encoding, and a key table whose "your index" is no member', () => {
    expect(() => encodeControl({ type: 'group-invite', groupId: id(1), name: 'x'.repeat(33) })).toThrow(/at most 32/);
    const bytes = encodeControl({ type: 'group-keys', groupId: id(1), epoch: 1, yourIndex: 0, name: '', members: [{ index: 0, name: '', senderKey: key(1), mailbox: { lookupKey: key(2), servers: [] } }] });
    bytes[4 + 16 + 4] = 9;
    const d = decodeControl(bytes);
    expect(d.ok ? 'ok' : d.code).toBe('bad-value');
  });
});
