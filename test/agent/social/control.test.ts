/** The social control codec: exact bytes, round trips, every truncation, random and mutated bytes never throw. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../../protocol/codec/bytes.ts';
import { DIRECT_OVERHEAD_BYTES } from '../../../protocol/envelope/direct.ts';
import { MAX_ACKS_PER_MESSAGE } from '../../../protocol/envelope/inner.ts';
import { MAX_ENVELOPE_BYTES } from '../../../protocol/envelope/kinds.ts';
import {
  type ControlMessage, type GroupMemberInfo, MAX_GROUP_MEMBERS, MAX_SERVER_ENTRY_BYTES, decodeControl, encodeControl,
} from '../../../agent/social/control.ts';
import { SocialError } from '../../../agent/social/errors.ts';
import { FuzzRandom, mutate, randomInput } from '../../envelope/fuzz-helpers.ts';

const id = (b: number): Uint8Array => new Uint8Array(16).fill(b);
const key = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const hex = (spaced: string): string => spaced.replace(/\s+/g, '');

/** Ed25519 public keys of RFC 8032 section 7.1, TEST 1 and TEST 2: valid node keys. */
const NODE_KEY_1 = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const NODE_KEY_2 = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
const FINGERPRINT = '00112233445566778899aabbccddeeff';
/** Canonical server URLs of every shape a group mailbox carries. */
const SERVERS = [
  `mesh://${NODE_KEY_1}`, `mesh://${NODE_KEY_2}`, 'mesh://0123456789abcdef', 'https://relay.example.net',
  `https://relay.example.net:8443#k=${FINGERPRINT}`, 'udp://10.0.0.1:4000', 'mqtts://u:p@broker.example:8883', 'serial://dev/ttyUSB0',
];

const name = fc.string({ maxLength: 10 });
const mailbox = fc.record({ lookupKey: fc.uint8Array({ minLength: 32, maxLength: 32 }), servers: fc.array(fc.constantFrom(...SERVERS), { maxLength: 2 }) });
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

/** A group-join of control version 1 (agents before the node key), servers as UTF-8 text. */
function joinV1(servers: readonly Uint8Array[]): Uint8Array {
  const parts = [fromHex(hex(`4d5301 02 ${'01'.repeat(16)} ${'02'.repeat(32)}`))!, Uint8Array.of(servers.length)];
  for (const s of servers) parts.push(Uint8Array.of(s.length), s);
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** A version-2 group-join whose one server entry is `entry`, raw. */
function joinV2(entry: string): Uint8Array {
  return fromHex(hex(`4d5302 02 ${'01'.repeat(16)} ${'02'.repeat(32)} 01 ${entry}`))!;
}

describe('social control codec', () => {
  it('encodes a group invitation to the documented bytes', () => {
    expect(toHex(encodeControl({ type: 'group-invite', groupId: id(0xaa), name: 'ab' }))).toBe(
      hex(`4d5302 01 ${'aa'.repeat(16)} 02 6162`));
  });

  it('encodes a group-join naming the node by its key in the card\'s form: 0x87 and the 32-byte key', () => {
    const bytes = encodeControl({ type: 'group-join', groupId: id(1), mailbox: { lookupKey: key(2), servers: [`mesh://${NODE_KEY_1}`, 'https://relay.example.net'] } });
    expect(toHex(bytes)).toBe([
      '4d53', '02', '02', // magic "MS", version 2, group-join
      '01'.repeat(16), // group id
      '02'.repeat(32), // mailbox Lkp public key
      '02', // two servers
      `87${NODE_KEY_1}`, // mesh node by key: 0x07 | 0x80, key 32
      `0211${toHex(utf8('relay.example.net'))}`, // https, 17 bytes of URL after "https://"
    ].join(''));
    expect(bytes.length).toBe(4 + 16 + 32 + 1 + 33 + 19);
    const d = decodeControl(bytes);
    expect(d.ok && d.value).toEqual({ type: 'group-join', groupId: id(1), mailbox: { lookupKey: key(2), servers: [`mesh://${NODE_KEY_1}`, 'https://relay.example.net'] } });
  });

  it('encodes a group-keys table whose members\' mailboxes carry a node key, a node id and a pinned relay', () => {
    const members: GroupMemberInfo[] = [
      { index: 0, name: 'A', senderKey: key(0x0a), mailbox: { lookupKey: key(0x1a), servers: [`mesh://${NODE_KEY_2}`] } },
      { index: 3, name: 'B', senderKey: key(0x0b), mailbox: { lookupKey: key(0x1b), servers: ['mesh://0123456789abcdef', `udp://10.0.0.1:4000#k=${FINGERPRINT}`] } },
    ];
    const m: ControlMessage = { type: 'group-keys', groupId: id(7), epoch: 5, yourIndex: 3, name: 'g', members };
    const bytes = encodeControl(m);
    expect(toHex(bytes)).toBe([
      '4d5302', '03', '07'.repeat(16), // magic, version 2, group-keys, group id
      '00000005', '03', '0167', '02', // epoch 5, your index 3, name "g", two members
      '00', '0141', '0a'.repeat(32), '1a'.repeat(32), '01', `87${NODE_KEY_2}`, // A: index, name, sender key, Lkp, its node by key
      '03', '0142', '0b'.repeat(32), '1b'.repeat(32), '02', '070123456789abcdef', // B: ..., its node by id (0x07 | id 8)
      `850d${toHex(utf8('10.0.0.1:4000'))}${FINGERPRINT}`, // udp with the pinned relay key: 0x05 | 0x80, rest, fingerprint 16
    ].join(''));
    const d = decodeControl(bytes);
    expect(d.ok && d.value).toEqual(m);
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

  it('never throws on random or mutated bytes, version 1 and 2 alike; what decodes encodes again', () => {
    const rnd = new FuzzRandom('social-control');
    const seeds = [
      ...fc.sample(message, 50).map(encodeControl),
      joinV1([utf8('mesh://0123456789abcdef'), utf8('https://relay.example.net')]),
    ];
    for (let i = 0; i < 20_000; i++) {
      const input = i % 2 === 0 ? randomInput(rnd, 200) : mutate(rnd, seeds[i % seeds.length]!);
      const d = decodeControl(input);
      if (d.ok) expect(decodeControl(encodeControl(d.value)).ok).toBe(true);
    }
  });

  it('keeps the largest group-keys message inside one 1:1 envelope with its largest overhead', () => {
    const longest = `https://${'a'.repeat(46)}#k=${FINGERPRINT}`; // 1 + 1 + 46 + 16 = 64 bytes as an entry
    const members: GroupMemberInfo[] = Array.from({ length: MAX_GROUP_MEMBERS }, (_, i) => ({
      index: i, name: 'n'.repeat(32), senderKey: key(i), mailbox: { lookupKey: key(i), servers: [longest, longest] },
    }));
    const bytes = encodeControl({ type: 'group-keys', groupId: id(1), epoch: 1, yourIndex: 0, name: 'g'.repeat(32), members });
    expect(bytes.length).toBe(3691);
    // A direct envelope around it: header, inner type and AEAD tag, plus a full ack block and both rotated keys.
    expect(bytes.length + DIRECT_OVERHEAD_BYTES + 1 + 4 * MAX_ACKS_PER_MESSAGE + 64).toBe(3847);
    expect(3847).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES);
  });

  it('reads a version-1 group-join of an older agent, its server texts in canonical form', () => {
    const d = decodeControl(joinV1([utf8('mesh://0123456789abcdef'), utf8('HTTPS://Relay.Example.net/')]));
    expect(d.ok && d.value).toEqual({ type: 'group-join', groupId: id(1), mailbox: { lookupKey: key(2), servers: ['mesh://0123456789abcdef', 'https://relay.example.net'] } });
  });

  it('refuses a version-1 server text that is no server URL, or not UTF-8, at its offset', () => {
    const notUrl = decodeControl(joinV1([utf8('u')]));
    expect(notUrl.ok ? 'ok' : [notUrl.code, notUrl.offset]).toEqual(['bad-value', 4 + 16 + 32 + 1]);
    const notUtf8 = decodeControl(joinV1([Uint8Array.of(0xc3, 0x28)]));
    expect(notUtf8.ok ? 'ok' : [notUtf8.code, notUtf8.offset]).toEqual(['bad-encoding', 53]);
    const tooLong = decodeControl(joinV1([utf8(`mesh://${NODE_KEY_1}`)])); // 71 bytes of text: over version 1's 64
    expect(tooLong.ok ? 'ok' : tooLong.code).toBe('too-long');
  });

  it('refuses other versions', () => {
    for (const v of [0, 3, 0xff]) {
      const bytes = encodeControl({ type: 'group-leave', groupId: id(1) });
      bytes[2] = v;
      const d = decodeControl(bytes);
      expect(d.ok ? 'ok' : [d.code, d.offset]).toEqual(['bad-version', 2]);
    }
  });

  it('refuses a server entry over 64 bytes, a bad node key, an unknown scheme and a non-canonical URL, with typed errors', () => {
    const at = 4 + 16 + 32 + 1;
    const longHost = 'a'.repeat(MAX_SERVER_ENTRY_BYTES - 1); // 0x02 | 63 | 63 bytes: a 65-byte entry
    const cases: [string, string, number][] = [
      [`02 3f ${toHex(utf8(longHost))}`, 'too-long', at],
      [`87 ${'ff'.repeat(32)}`, 'bad-value', at + 33], // y >= p: no Ed25519 point
      [`87 ${'00'.repeat(32)}`, 'bad-value', at + 33], // a small-order point
      [`87 ${NODE_KEY_1.slice(0, 40)}`, 'truncated', at + 1],
      ['09 00', 'bad-kind', at + 1],
      [`02 05 ${toHex(utf8('A.net'))}`, 'bad-value', at + 7], // "A.net" is "a.net" in canonical form
    ];
    for (const [entry, code, offset] of cases) {
      const d = decodeControl(joinV2(entry));
      expect(d.ok ? 'ok' : [d.code, d.offset], entry).toEqual([code, offset]);
    }
    expect(decodeControl(joinV2(`02 3e ${toHex(utf8(longHost.slice(1)))}`)).ok).toBe(true); // 64 bytes: the cap itself
  });

  it('refuses to encode a server that is no URL, one over 64 bytes, or a third server, with SocialError bad-argument', () => {
    const join = (servers: string[]): Uint8Array => encodeControl({ type: 'group-join', groupId: id(1), mailbox: { lookupKey: key(2), servers } });
    const code = (servers: string[]): string => {
      try {
        join(servers);
        return 'ok';
      } catch (e) {
        return e instanceof SocialError ? e.code : String(e);
      }
    };
    expect(code([`https://${'a'.repeat(46)}#k=${FINGERPRINT}`])).toBe('ok'); // 64 bytes
    expect(code([`https://${'a'.repeat(47)}#k=${FINGERPRINT}`])).toBe('bad-argument'); // 65 bytes
    expect(code(['u'])).toBe('bad-argument');
    expect(code(['mesh://0123'])).toBe('bad-argument');
    expect(code(['mesh://0123456789abcdef', 'mesh://0123456789abcdef', 'mesh://0123456789abcdef'])).toBe('bad-argument');
    // A non-canonical URL is written in canonical form.
    const d = decodeControl(join(['https://Relay.Example.net/']));
    expect(d.ok && d.value.type === 'group-join' && d.value.mailbox.servers).toEqual(['https://relay.example.net']);
  });

  it('refuses oversized fields when encoding, and a key table whose "your index" is no member', () => {
    expect(() => encodeControl({ type: 'group-invite', groupId: id(1), name: 'x'.repeat(33) })).toThrow(/at most 32/);
    const bytes = encodeControl({ type: 'group-keys', groupId: id(1), epoch: 1, yourIndex: 0, name: '', members: [{ index: 0, name: '', senderKey: key(1), mailbox: { lookupKey: key(2), servers: [] } }] });
    bytes[4 + 16 + 4] = 9;
    const d = decodeControl(bytes);
    expect(d.ok ? 'ok' : d.code).toBe('bad-value');
  });
});
