import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { checkAnswer, inviteHash } from '../../protocol/card/binding.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { cardSigningInput, createAnswer, createInvite, encodeCard } from '../../protocol/card/encode.ts';
import { CardError } from '../../protocol/card/errors.ts';
import { type Card, MAX_CARD_BYTES } from '../../protocol/card/types.ts';
import { cardView } from '../../protocol/card/view.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { cardKeys } from './helpers.ts';

const suite = createNodeSuite();
const rnd = new SeededRandom('card-test');
const aliceKeys = cardKeys(suite, rnd, ['https://relay.example.net', 'mesh://0011223344556677']);
const bobKeys = cardKeys(suite, rnd, ['udp://10.1.2.3:41325']);
const invite = createInvite(suite, aliceKeys);
const answer = createAnswer(suite, invite, bobKeys);
const seedA = aliceKeys.contact.signingSecret;

/** Signs crafted body bytes as Alice would, so only the check under test can refuse them. */
function signed(body: Uint8Array, seed = seedA): Uint8Array {
  return concatBytes(body, suite.ed25519Sign(seed, cardSigningInput(body)));
}
const bodyOf = (card: Card): Uint8Array => card.bytes.slice(0, card.bytes.length - 64);
function withBytes(body: Uint8Array, at: number, replacement: Uint8Array): Uint8Array {
  const out = body.slice();
  out.set(replacement, at);
  return out;
}
const X25519_LOW_ORDER = fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800')!;
const ED25519_IDENTITY = fromHex('0100000000000000000000000000000000000000000000000000000000000000')!;

describe('card round trip', () => {
  for (const s of [createPortableSuite(), suite]) {
    it(`invite and answer decode to what was encoded (${s.name})`, () => {
      for (const card of [invite, answer]) {
        const d = decodeCard(s, card.bytes);
        expect(d).toEqual({ ok: true, value: card });
      }
    });
  }

  it('holds for random keys and server lists (property)', () => {
    const url = fc.oneof(
      fc.tuple(fc.constantFrom('http', 'https', 'mqtt', 'mqtts'), fc.domain(), fc.option(fc.integer({ min: 1, max: 65535 })))
        .map(([scheme, host, port]) => `${scheme}://${host}${port === null ? '' : `:${port}`}`),
      fc.tuple(fc.domain(), fc.integer({ min: 1, max: 65535 })).map(([host, port]) => `udp://${host}:${port}`),
      fc.stringMatching(/^[a-z]{1,8}\/tty[A-Z]{1,4}[0-9]$/).map((dev) => `serial://${dev}`),
      fc.uint8Array({ minLength: 8, maxLength: 8 }).map((id) => `mesh://${toHex(id)}`),
    );
    fc.assert(fc.property(fc.integer(), fc.uniqueArray(url, { maxLength: 8 }), fc.boolean(), (seed, urls, asAnswer) => {
      const r = new SeededRandom(seed);
      const keys = cardKeys(suite, r, urls);
      const card = asAnswer ? createAnswer(suite, invite, keys) : createInvite(suite, keys);
      const d = decodeCard(suite, card.bytes);
      expect(d.ok).toBe(true);
      if (!d.ok) return;
      expect(d.value.servers.map((s) => new URL(s.url).href)).toEqual(urls.map((u) => new URL(u).href));
      expect(toHex(d.value.bytes)).toBe(toHex(card.bytes));
      expect(d.value.kind).toBe(asAnswer ? 'answer' : 'invite');
    }), { numRuns: 150 });
  });

  it('shows as JSON with hex keys, servers and the Ckp fingerprint, and no secret', () => {
    const view = cardView(suite, answer);
    expect(view).toMatchObject({
      type: 'meow-card', version: 1, kind: 'answer', servers: ['udp://10.1.2.3:41325'],
      mailboxId: toHex(bobKeys.mailboxId), inviteHash: toHex(inviteHash(suite, invite.bytes)), bytes: answer.bytes.length,
    });
    expect(view.fingerprint).toMatch(/^\d{5} \d{5} \d{5}$/);
    expect(JSON.stringify(view)).not.toContain(toHex(bobKeys.contact.signingSecret));
  });
});

describe('card refusals', () => {
  it('refuses every truncation as truncated', () => {
    for (const card of [invite, answer]) {
      for (let n = 0; n < card.bytes.length; n++) {
        const d = decodeCard(suite, card.bytes.subarray(0, n));
        expect(d.ok ? 'accepted' : d.code, `prefix ${n}`).toBe('truncated');
      }
    }
  });

  it('refuses every single-bit flip with a typed error', () => {
    const seen = new Map<string, number>();
    for (const card of [invite, answer]) {
      for (let bit = 0; bit < card.bytes.length * 8; bit++) {
        const bytes = card.bytes.slice();
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        const d = decodeCard(suite, bytes);
        expect(d.ok, `bit ${bit}`).toBe(false);
        if (!d.ok) seen.set(d.code, (seen.get(d.code) ?? 0) + 1);
      }
    }
    // Most flips land in keys and signature: the signature (or a key check) catches them.
    expect(seen.get('bad-signature')).toBeGreaterThan(1000);
    for (const code of seen.keys()) {
      expect(['bad-signature', 'bad-key', 'bad-kind', 'bad-version', 'bad-value', 'bad-encoding', 'truncated', 'trailing-bytes', 'too-long']).toContain(code);
    }
  });

  it('refuses a wrong magic, version or kind before anything else', () => {
    const m = invite.bytes.slice(); m[0] = 0x4e;
    expect(decodeCard(suite, m)).toMatchObject({ ok: false, code: 'bad-kind', offset: 0 });
    const v = invite.bytes.slice(); v[2] = 2;
    expect(decodeCard(suite, v)).toMatchObject({ ok: false, code: 'bad-version', offset: 2 });
    const k = invite.bytes.slice(); k[3] = 3;
    expect(decodeCard(suite, k)).toMatchObject({ ok: false, code: 'bad-kind', offset: 3 });
  });

  it('refuses low-order X25519 keys even when correctly signed', () => {
    const ckpX = signed(withBytes(bodyOf(invite), 36, X25519_LOW_ORDER));
    expect(decodeCard(suite, ckpX)).toMatchObject({ ok: false, code: 'bad-key', offset: 36 });
    const ekp = signed(withBytes(bodyOf(invite), 68, new Uint8Array(32)));
    expect(decodeCard(suite, ekp)).toMatchObject({ ok: false, code: 'bad-key', offset: 68 });
  });

  it('refuses small-order or undecodable Ed25519 keys', () => {
    const lkp = signed(withBytes(bodyOf(invite), 100, ED25519_IDENTITY));
    expect(decodeCard(suite, lkp)).toMatchObject({ ok: false, code: 'bad-key', offset: 100 });
    const undecodable = signed(withBytes(bodyOf(invite), 100, fromHex(`02${'00'.repeat(31)}`)!));
    expect(decodeCard(suite, undecodable)).toMatchObject({ ok: false, code: 'bad-key', offset: 100 });
    // The universal forgery: identity key, signature (R = identity, S = 0) "verifies" any message cofactorless.
    const forged = concatBytes(withBytes(bodyOf(invite), 4, ED25519_IDENTITY), ED25519_IDENTITY, new Uint8Array(32));
    expect(decodeCard(suite, forged)).toMatchObject({ ok: false, code: 'bad-key', offset: 4 });
    expect(decodeCard(createPortableSuite(), forged)).toMatchObject({ ok: false, code: 'bad-key', offset: 4 });
  });

  it('refuses a signature by another key (tampered)', () => {
    const other = signed(bodyOf(invite), bobKeys.contact.signingSecret);
    expect(decodeCard(suite, other)).toMatchObject({ ok: false, code: 'bad-signature', offset: invite.bytes.length - 64 });
  });

  it('refuses non-canonical or duplicate servers, too many servers, unknown schemes, trailing bytes, oversize input', () => {
    const countAt = 132;
    const head = bodyOf(invite).subarray(0, countAt);
    const entry = concatBytes(new Uint8Array([1, 4]), utf8('h:81'));
    const upper = concatBytes(new Uint8Array([1, 4]), utf8('H:81'));
    const build = (count: number, ...entries: Uint8Array[]): Uint8Array => signed(concatBytes(head, new Uint8Array([count]), ...entries));
    expect(decodeCard(suite, build(1, entry)).ok).toBe(true);
    expect(decodeCard(suite, build(1, upper))).toMatchObject({ ok: false, code: 'bad-value', offset: countAt + 1 });
    expect(decodeCard(suite, build(2, entry, entry))).toMatchObject({ ok: false, code: 'bad-value', offset: countAt + 1 + entry.length });
    expect(decodeCard(suite, build(9, ...Array(9).fill(entry)))).toMatchObject({ ok: false, code: 'too-long', offset: countAt });
    expect(decodeCard(suite, build(1, new Uint8Array([9, 0])))).toMatchObject({ ok: false, code: 'bad-kind', offset: countAt + 1 });
    expect(decodeCard(suite, concatBytes(invite.bytes, new Uint8Array([0])))).toMatchObject({ ok: false, code: 'trailing-bytes' });
    expect(decodeCard(suite, new Uint8Array(MAX_CARD_BYTES + 1))).toMatchObject({ ok: false, code: 'too-long' });
  });
});

describe('answer binding', () => {
  it('accepts the answer to our invite', () => {
    expect(checkAnswer(suite, answer, invite)).toEqual({ ok: true, value: answer });
  });

  it('refuses a foreign answer (made for another invite)', () => {
    const otherInvite = createInvite(suite, cardKeys(suite, rnd, []));
    const foreign = createAnswer(suite, otherInvite, bobKeys);
    const decoded = decodeCard(suite, foreign.bytes);
    expect(decoded.ok).toBe(true); // valid in itself...
    expect(checkAnswer(suite, foreign, invite)).toMatchObject({ ok: false, code: 'foreign', offset: 132 }); // ...but not ours
  });

  it('refuses an invite where an answer is expected', () => {
    expect(checkAnswer(suite, invite, invite)).toMatchObject({ ok: false, code: 'bad-kind' });
  });
});

describe('encoder misuse', () => {
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return e instanceof CardError ? `${e.name}:${e.code}` : String(e);
    }
    return undefined;
  };
  it('throws CardError with a stable code', () => {
    expect(code(() => createInvite(suite, { ...aliceKeys, servers: ['ftp://x'] }))).toBe('CardError:bad-url');
    expect(code(() => createInvite(suite, { ...aliceKeys, servers: Array.from({ length: 9 }, (_, i) => `udp://h:${i + 1}`) })))
      .toBe('CardError:too-many-servers');
    expect(code(() => createInvite(suite, { ...aliceKeys, servers: ['udp://h:1', 'UDP://h:1'] }))).toBe('CardError:duplicate-server');
    expect(code(() => encodeCard(suite, { ...invite }, bobKeys.contact.signingSecret))).toBe('CardError:key-mismatch');
    expect(code(() => createInvite(suite, { ...aliceKeys, encryptionKey: X25519_LOW_ORDER }))).toBe('CardError:bad-key');
  });
});
