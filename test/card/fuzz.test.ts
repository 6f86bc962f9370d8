/**
 * Fuzzing inside the suite (quality bar: at least 100,000 inputs per
 * decoder, random and mutated valid ones). A decoder must never throw,
 * must answer with a known code and an offset inside the input, and may
 * accept a mutated input only if it is byte-identical to a valid card.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import type { DecodeResult } from '../../protocol/codec/result.ts';
import { armor, dearmor } from '../../protocol/card/armor.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { createAnswer, createInvite } from '../../protocol/card/encode.ts';
import { fromQrText, toQrText } from '../../protocol/card/qr-text.ts';
import { MAX_CARD_BYTES } from '../../protocol/card/types.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { FuzzRandom, mutate, mutateText, randomText } from './fuzz-tools.ts';
import { cardKeys } from './helpers.ts';

const suite = createNodeSuite();
const seeded = new SeededRandom('fuzz');
const invite = createInvite(suite, cardKeys(suite, seeded, ['https://u:p@relay.example:8443', 'mqtt://10.0.0.2:1883#k=00112233445566778899aabbccddeeff', 'mesh://0011223344556677']));
// The answer names its mesh node by key (0x87 + 32 bytes), the invite by id (0x07 + 8): mutations reach both forms.
const nodeKey = suite.ed25519PublicKey(new SeededRandom('fuzz node').bytes(32));
const answer = createAnswer(suite, invite, cardKeys(suite, seeded, ['udp://h:1', 'serial://dev/ttyS0', `mesh://${toHex(nodeKey)}`]));
const valid = [invite.bytes, answer.bytes];
const validHex = new Set(valid.map(toHex));
const CODES = new Set(['truncated', 'trailing-bytes', 'too-long', 'bad-version', 'bad-kind', 'bad-value', 'bad-signature', 'bad-mac', 'bad-key', 'bad-encoding', 'bad-checksum']);

function checkResult(r: DecodeResult<unknown>, inputLength: number, cap: number): void {
  if (r.ok) return;
  if (!CODES.has(r.code) || r.offset < 0 || r.offset > Math.max(inputLength, cap) || !r.message) {
    throw new Error(`bad refusal ${JSON.stringify(r)} for input of ${inputLength}`);
  }
}

describe('card decoder fuzz', () => {
  it('survives 107,000 random and mutated inputs', () => {
    const r = new FuzzRandom(1);
    let accepted = 0;
    let total = 0;
    const header = [new Uint8Array([0x4d, 0x43, 1, 1]), new Uint8Array([0x4d, 0x43, 1, 2])];
    for (let i = 0; i < 95_000; i++, total++) {
      const len = r.int(i % 10 === 0 ? 2000 : 400);
      const input = r.bytes(len);
      // Half the random inputs carry a valid header so they reach the fields behind it.
      if (i % 2 === 0 && len >= 4) input.set(header[i & 2 ? 1 : 0]!, 0);
      const d = decodeCard(suite, input);
      checkResult(d, input.length, MAX_CARD_BYTES);
      if (d.ok) accepted++;
    }
    expect(accepted).toBe(0);
    // Mutated cards mostly reach the key checks and the signature (~0.2 ms each): 12,000 of them.
    for (let i = 0; i < 12_000; i++, total++) {
      const input = mutate(r, valid[i & 1]!);
      const d = decodeCard(suite, input);
      checkResult(d, input.length, MAX_CARD_BYTES);
      if (d.ok) expect(validHex.has(toHex(input))).toBe(true);
    }
    expect(total).toBeGreaterThanOrEqual(100_000);
  });
});

describe('armour decoder fuzz', () => {
  it('survives 110,000 random and mutated texts, and never yields other bytes', () => {
    const r = new FuzzRandom(2);
    const texts = valid.map((b) => armor('MEOW CARD', b));
    let total = 0;
    for (let i = 0; i < 40_000; i++, total++) {
      const t = i % 4 === 0 ? `-----BEGIN MEOW CARD-----\n${randomText(r, 300)}\n-----END MEOW CARD-----` : randomText(r, 200);
      const d = dearmor(t);
      checkResult(d, t.length, 16_384);
      expect(d.ok).toBe(false);
    }
    for (let i = 0; i < 70_000; i++, total++) {
      const t = mutateText(r, texts[i & 1]!);
      const d = dearmor(t);
      checkResult(d, t.length, 16_384);
      // Whitespace edits may still decode, but only to the very bytes that were armoured.
      if (d.ok) {
        expect(toHex(d.value.bytes)).toBe(toHex(valid[i & 1]!));
        expect(decodeCard(suite, d.value.bytes).ok).toBe(true);
      }
    }
    expect(total).toBeGreaterThanOrEqual(100_000);
  });
});

describe('QR text decoder fuzz', () => {
  it('survives 110,000 random and mutated texts', () => {
    const r = new FuzzRandom(3);
    const texts = valid.map(toQrText);
    let total = 0;
    for (let i = 0; i < 40_000; i++, total++) {
      const t = (i % 2 ? 'MEOW:' : '') + randomText(r, 300);
      checkResult(fromQrText(t), t.length, 3391);
    }
    for (let i = 0; i < 70_000; i++, total++) {
      const t = mutateText(r, texts[i & 1]!);
      const d = fromQrText(t);
      checkResult(d, t.length, 3391);
      if (d.ok && d.value.length === valid[i & 1]!.length) {
        // Canonical base45 is a bijection: the same length and a different text means different bytes.
        expect(toHex(d.value) === toHex(valid[i & 1]!)).toBe(t.trim() === texts[i & 1]);
      }
    }
    expect(total).toBeGreaterThanOrEqual(100_000);
  });
});

describe('card decoder: both suites agree', () => {
  it('gives the same answer on 1,500 mutated cards with the portable and the node:crypto suite', () => {
    const portable = createPortableSuite();
    const r = new FuzzRandom(4);
    for (let i = 0; i < 1_500; i++) {
      const input = mutate(r, valid[i & 1]!);
      const a = decodeCard(suite, input);
      const b = decodeCard(portable, input);
      expect(b.ok ? 'ok' : `${b.code}@${b.offset}`).toBe(a.ok ? 'ok' : `${a.code}@${a.offset}`);
    }
  });
});
