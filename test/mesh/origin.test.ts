/** Origin blocks (protocol/mesh/origin.ts): exact layout, pair keys, MACs and the fragment flag. */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { decodeFragment, encodeFragment } from '../../protocol/mesh/fragment.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import { decodeOriginBody, encodeOriginBody, originMac, pairAckProof, pairKey } from '../../protocol/mesh/origin.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';

const suite = createNodeSuite();
const random = new SeededRandom('origin-test');
const seedA = random.bytes(32);
const seedB = random.bytes(32);
const pubA = suite.ed25519PublicKey(seedA);
const pubB = suite.ed25519PublicKey(seedB);
const idA = meshNodeId(suite, pubA);
const idB = meshNodeId(suite, pubB);

describe('origin block', () => {
  it('lays out the short and keyed forms byte for byte', () => {
    const mac = fromHex('0102030405060708') as Uint8Array;
    const env = fromHex('aabb') as Uint8Array;
    expect(toHex(encodeOriginBody({ form: 'short', sourceHint: 0x1234, mac }, env))).toBe('00123401020304050607' + '08aabb');
    const keyed = encodeOriginBody({ form: 'keyed', publicKey: pubA, mac }, env);
    expect(keyed.length).toBe(1 + 32 + 8 + 2);
    expect(toHex(keyed)).toBe('01' + toHex(pubA) + '0102030405060708aabb');
    const back = decodeOriginBody(keyed);
    expect(back.ok && back.value.origin.form === 'keyed' && toHex(back.value.origin.publicKey)).toBe(toHex(pubA));
    expect(back.ok && toHex(back.value.envelope)).toBe('aabb');
  });

  it('refuses unknown forms, truncated blocks and an empty envelope without throwing', () => {
    expect(decodeOriginBody(fromHex('02') as Uint8Array)).toMatchObject({ ok: false, code: 'bad-value' });
    expect(decodeOriginBody(fromHex('001234010203') as Uint8Array)).toMatchObject({ ok: false, code: 'truncated' });
    expect(decodeOriginBody(fromHex('0012340102030405060708') as Uint8Array)).toMatchObject({ ok: false, code: 'truncated' });
    expect(decodeOriginBody(new Uint8Array(0))).toMatchObject({ ok: false, code: 'truncated' });
  });

  it('derives the same pair key on both sides, a different one for another pair, and none for a bad key', () => {
    const ab = pairKey(suite, seedA, idA, pubB, idB);
    const ba = pairKey(suite, seedB, idB, pubA, idA);
    expect(ab && toHex(ab)).toBe(ba && toHex(ba));
    const seedC = random.bytes(32);
    const pubC = suite.ed25519PublicKey(seedC);
    const ac = pairKey(suite, seedA, idA, pubC, meshNodeId(suite, pubC));
    expect(ac && toHex(ac)).not.toBe(ab && toHex(ab));
    // The identity point (a low-order key): no key, not an all-zero secret.
    const identity = fromHex('0100000000000000000000000000000000000000000000000000000000000000') as Uint8Array;
    expect(pairKey(suite, seedA, idA, identity, meshNodeId(suite, identity))).toBeUndefined();
  });

  it('binds the MAC to the direction and the envelope, and separates the ack proof', () => {
    const key = pairKey(suite, seedA, idA, pubB, idB) as Uint8Array;
    const env = fromHex('00ff') as Uint8Array;
    const mac = toHex(originMac(suite, key, idA, idB, env));
    expect(mac).toHaveLength(16);
    expect(toHex(originMac(suite, key, idB, idA, env))).not.toBe(mac);
    expect(toHex(originMac(suite, key, idA, idB, fromHex('00fe') as Uint8Array))).not.toBe(mac);
    expect(pairAckProof(suite, key, idB, 0x01020304).length).toBe(4);
    expect(toHex(pairAckProof(suite, key, idB, 0x01020304))).not.toBe(toHex(pairAckProof(suite, key, idB, 0x01020305)));
  });

  it('carries the sourced flag in bit 7 of the fragment count byte', () => {
    const f = { sourceHint: 0x0102, messageId: 0x0a0b0c0d, index: 1, count: 3, chunk: fromHex('ee') as Uint8Array };
    expect(toHex(encodeFragment(f))).toBe('01020a0b0c0d0103ee');
    expect(toHex(encodeFragment({ ...f, sourced: true }))).toBe('01020a0b0c0d0183ee');
    const back = decodeFragment(fromHex('01020a0b0c0d0183ee') as Uint8Array);
    expect(back).toMatchObject({ ok: true, value: { count: 3, index: 1, sourced: true } });
    expect(decodeFragment(fromHex('01020a0b0c0d0103ee') as Uint8Array)).toMatchObject({ ok: true, value: { count: 3 } });
    expect(decodeFragment(fromHex('01020a0b0c0d0143ee') as Uint8Array)).toMatchObject({ ok: false, code: 'bad-value' });
  });
});
