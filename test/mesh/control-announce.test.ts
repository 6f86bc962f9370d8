import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { ANNOUNCE_PAYLOAD_BYTES, AnnounceFlag, decodeAnnounce, encodeAnnounce, signAnnounce, verifyAnnounce } from '../../protocol/mesh/announce.ts';
import { decodeAck, decodeFragmentRequest, encodeAck, encodeFragmentRequest } from '../../protocol/mesh/control.ts';
import { DuplicateCache } from '../../protocol/mesh/dedup.ts';
import { destHintOf, meshNodeId, relayHintOf } from '../../protocol/mesh/node-id.ts';
import { FuzzBytes } from './fuzz-helpers.ts';

const suite = createPortableSuite();
const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60') as Uint8Array; // RFC 8032 7.1 TEST 1 secret key

describe('ack and fragment request payloads', () => {
  it('lay out as documented and round-trip', () => {
    const ack = encodeAck({ ackedKey: 0x01020304, proof: fromHex('a1a2a3a4') as Uint8Array });
    expect(toHex(ack)).toBe('01020304' + 'a1a2a3a4');
    expect(decodeAck(ack)).toEqual({ ok: true, value: { ackedKey: 0x01020304, proof: fromHex('a1a2a3a4') } });
    const req = encodeFragmentRequest({ messageId: 9, missing: 0x80000001 });
    expect(toHex(req)).toBe('00000009' + '80000001');
    expect(decodeFragmentRequest(req)).toEqual({ ok: true, value: { messageId: 9, missing: 0x80000001 } });
    expect(decodeFragmentRequest(fromHex('0000000900000000') as Uint8Array)).toMatchObject({ ok: false, code: 'bad-value' });
  });

  it('refuse every truncation and extension, and survive 100,000 random and mutated inputs each', () => {
    const ack = encodeAck({ ackedKey: 5, proof: new Uint8Array(4) });
    for (let n = 0; n < 8; n++) expect(decodeAck(ack.subarray(0, n))).toMatchObject({ ok: false, code: 'truncated' });
    expect(decodeAck(new Uint8Array(9))).toMatchObject({ ok: false, code: 'trailing-bytes' });
    const fuzz = new FuzzBytes(3);
    const req = encodeFragmentRequest({ messageId: 1, missing: 3 });
    const bad: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const a = i % 2 ? fuzz.bytes(fuzz.int(12)) : fuzz.mutate(ack);
      const da = decodeAck(a);
      if (da.ok && toHex(encodeAck(da.value)) !== toHex(a)) bad.push(toHex(a));
      const q = i % 2 ? fuzz.bytes(fuzz.int(12)) : fuzz.mutate(req);
      const dq = decodeFragmentRequest(q);
      if (dq.ok && toHex(encodeFragmentRequest(dq.value)) !== toHex(q)) bad.push(toHex(q));
    }
    expect(bad).toEqual([]);
  });
});

describe('announce', () => {
  const a = signAnnounce(suite, seed, AnnounceFlag.mailboxHost | AnnounceFlag.gateway, 1_700_000_000);

  it('is 101 bytes: flags, sequence, node key (RFC 8032 test 1 key), signature', () => {
    const bytes = encodeAnnounce(a);
    expect(bytes.length).toBe(ANNOUNCE_PAYLOAD_BYTES);
    expect(toHex(bytes.subarray(0, 37))).toBe('03' + '6553f100' + 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(verifyAnnounce(suite, a)).toBe(true);
    const d = decodeAnnounce(bytes);
    expect(d.ok && verifyAnnounce(suite, d.value)).toBe(true);
  });

  it('fails verification when any field changes', () => {
    const bytes = encodeAnnounce(a);
    for (const at of [0, 3, 10, 40, 100]) {
      const t = bytes.slice();
      t[at] = (t[at] as number) ^ (at === 0 ? 0x04 : 0x01);
      const d = decodeAnnounce(t);
      expect(d.ok && verifyAnnounce(suite, d.value), `byte ${at}`).toBe(false);
    }
  });

  it('refuses unknown flags, truncations, and survives 100,000 random and mutated inputs', () => {
    const bytes = encodeAnnounce(a);
    const t = bytes.slice();
    t[0] = 0x08;
    expect(decodeAnnounce(t)).toMatchObject({ ok: false, code: 'bad-value' });
    for (let n = 0; n < bytes.length; n++) expect(decodeAnnounce(bytes.subarray(0, n)).ok).toBe(false);
    const fuzz = new FuzzBytes(4);
    const bad: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const input = i % 2 ? fuzz.bytes(fuzz.int(110)) : fuzz.mutate(bytes);
      const d = decodeAnnounce(input);
      if (d.ok && toHex(encodeAnnounce(d.value)) !== toHex(input)) bad.push(toHex(input));
    }
    expect(bad).toEqual([]);
  });

  it('node ids and hints derive from the node key', () => {
    const id = meshNodeId(suite, a.publicKey);
    const label = new TextEncoder().encode('meow-node-id');
    const input = new Uint8Array([...label, ...a.publicKey]);
    expect(toHex(id)).toBe(toHex(suite.sha256(input).subarray(0, 8)));
    expect(destHintOf(id)).toBe(((id[0] as number) << 8) | (id[1] as number));
    expect(relayHintOf(id)).toBe(id[0]);
  });
});

describe('duplicate cache', () => {
  it('remembers ids for maxAgeMs and at most maxEntries (oldest evicted first)', () => {
    const c = new DuplicateCache<number>({ maxEntries: 3, maxAgeMs: 1000 });
    c.set(1, 10, 0);
    c.set(2, 20, 100);
    c.set(3, 30, 200);
    expect(c.get(1, 300)).toBe(10);
    c.set(4, 40, 300);
    expect(c.has(1, 300)).toBe(false);
    expect(c.size).toBe(3);
    expect(c.has(2, 1100)).toBe(true);
    expect(c.has(2, 1101)).toBe(false);
  });
});
