/**
 * decodeEnvelopeFields (the clear fields as bytes, for the hot path) and the
 * envelope ids. The byte view and the hex view (decodeEnvelopeHeader) must
 * accept exactly the same inputs and show the same fields.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { sealBroadcast } from '../../protocol/envelope/broadcast.ts';
import { decodeEnvelopeFields, type EnvelopeFields } from '../../protocol/envelope/clear-fields.ts';
import { addressedEnvelopeId, ENVELOPE_ID_BYTES, envelopeId } from '../../protocol/envelope/envelope-id.ts';
import { groupTag, sealGroupMessage } from '../../protocol/envelope/group.ts';
import { decodeEnvelopeHeader } from '../../protocol/envelope/header.ts';
import { sealSensorReading, sensorId } from '../../protocol/envelope/sensor.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { sealPresence } from '../../protocol/session/presence.ts';
import { pair } from '../session/helpers.ts';
import { FuzzRandom, mutate, randomInput } from './fuzz-helpers.ts';

const suite = createPortableSuite();

function oneOfEachKind() {
  const random = new SeededRandom('clear-fields');
  const { alice, bob } = pair('clear-fields');
  const group = groupTag(suite, random.bytes(16));
  const sensorKey = random.bytes(32);
  return {
    alice, bob, group, sensor: sensorId(suite, sensorKey),
    envelopes: [
      alice.sealText('hello').envelope,
      sealGroupMessage(suite, { groupTag: group, senderIndex: 1, key: random.bytes(32) }, 2, { type: 'text', text: 'hi' }),
      sealBroadcast(suite, random.bytes(32), 'storm', 2_000_000_000_000),
      sealPresence(suite, alice, 'udp://192.0.2.1:41325', 2_000_000_000_000, random),
      sealSensorReading(suite, sensorKey, 9, [{ quantity: 1, value: 2150 }]),
    ],
  };
}

/** The hex view, recomputed from the byte view: what decodeEnvelopeHeader must show. */
function asHeader(f: EnvelopeFields, bytes: Uint8Array): Record<string, unknown> {
  const common = { kind: f.kind, version: 1, length: bytes.length };
  switch (f.kind) {
    case 'direct': return { ...common, mailboxTag: toHex(f.mailboxTag), maskedCounter: f.maskedCounter, sealedBytes: f.sealed.length };
    case 'group': return { ...common, groupTag: toHex(f.groupTag), senderIndex: f.senderIndex, counter: f.counter, sealedBytes: f.sealed.length };
    case 'broadcast': return { ...common, senderKeyId: toHex(f.senderKeyId), expiresAtSeconds: f.expiresAtSeconds, text: f.text };
    case 'presence': return { ...common, mailboxTag: toHex(f.mailboxTag), expiresAtSeconds: f.expiresAtSeconds, sealedBytes: f.sealed.length };
    case 'sensor': return { ...common, sensorId: toHex(f.sensorId), counter: f.counter, sealedBytes: f.sealed.length };
  }
}

function sameAsHeader(bytes: Uint8Array): void {
  const fields = decodeEnvelopeFields(bytes);
  const header = decodeEnvelopeHeader(bytes);
  if (!fields.ok) {
    expect(header).toEqual(fields);
    return;
  }
  expect(header.ok && header.value).toEqual(asHeader(fields.value, bytes));
}

describe('decodeEnvelopeFields', () => {
  it('reads the address of every kind as bytes, as views into the envelope', () => {
    const { alice, bob, group, sensor, envelopes } = oneOfEachKind();
    const [direct, groupMessage, broadcast, presence, reading] = envelopes;
    const fields = envelopes.map((e) => decodeEnvelopeFields(e));
    const bobTag = bob.mailboxes(Date.now())[0]!.tag;
    const aliceTag = alice.mailboxes(Date.now())[0]!.tag;
    expect(fields[0]).toMatchObject({ ok: true, value: { kind: 'direct', mailboxTag: bobTag } });
    expect(fields[1]).toMatchObject({ ok: true, value: { kind: 'group', groupTag: group, senderIndex: 1, counter: 2 } });
    expect(fields[2]).toMatchObject({ ok: true, value: { kind: 'broadcast', text: 'storm', expiresAtSeconds: 2_000_000_000 } });
    expect(fields[3]).toMatchObject({ ok: true, value: { kind: 'presence', mailboxTag: aliceTag, expiresAtSeconds: 2_000_000_000 } });
    expect(fields[4]).toMatchObject({ ok: true, value: { kind: 'sensor', sensorId: sensor, counter: 9 } });
    // No copy on the hot path: the tag is the envelope's own bytes 1..7.
    const d = fields[0]!;
    expect(d.ok && d.value.kind === 'direct' && d.value.mailboxTag.buffer).toBe(direct!.buffer);
    expect(d.ok && d.value.kind === 'direct' && d.value.mailboxTag.byteOffset).toBe(direct!.byteOffset + 1);
    for (const e of [groupMessage, broadcast, presence, reading]) sameAsHeader(e!);
  });

  it('agrees with decodeEnvelopeHeader on every truncation of every kind', () => {
    for (const env of oneOfEachKind().envelopes) {
      for (let n = 0; n <= env.length; n++) sameAsHeader(env.subarray(0, n));
    }
  });

  it('refuses with a code and an offset, never throwing: empty, version, kind, reserved kind, too long', () => {
    expect(decodeEnvelopeFields(new Uint8Array(0))).toMatchObject({ ok: false, code: 'truncated', offset: 0 });
    expect(decodeEnvelopeFields(Uint8Array.from([0x21, 0]))).toMatchObject({ ok: false, code: 'bad-version', offset: 0 });
    expect(decodeEnvelopeFields(Uint8Array.from([0x1f, 0]))).toMatchObject({ ok: false, code: 'bad-kind', offset: 0 });
    expect(decodeEnvelopeFields(Uint8Array.from([0x18, 0]))).toMatchObject({ ok: false, code: 'bad-kind', message: /reserved/ });
    expect(decodeEnvelopeFields(new Uint8Array(4097).fill(0x11))).toMatchObject({ ok: false, code: 'too-long', offset: 4096 });
  });

  it('fuzz: 50,000 random and mutated inputs never throw and agree with the hex view', () => {
    const valid = oneOfEachKind().envelopes;
    const rnd = new FuzzRandom('clear-fields-fuzz');
    let accepted = 0;
    for (let i = 0; i < 50_000; i++) {
      const input = i % 2 === 0 ? randomInput(rnd, 120) : mutate(rnd, valid[rnd.int(valid.length)]!);
      const fields = decodeEnvelopeFields(input);
      const header = decodeEnvelopeHeader(input);
      expect(fields.ok).toBe(header.ok);
      if (!fields.ok && !header.ok) expect([header.code, header.offset]).toEqual([fields.code, fields.offset]);
      if (fields.ok) accepted++;
    }
    expect(accepted).toBeGreaterThan(500);
  });
});

describe('envelope ids', () => {
  // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad (FIPS 180-2, appendix B.1).
  const abc = new TextEncoder().encode('abc');

  it('envelope id: the first 16 bytes of SHA-256 of the envelope, a fresh array', () => {
    const idBytes = envelopeId(suite, abc);
    expect(idBytes.length).toBe(ENVELOPE_ID_BYTES);
    expect(toHex(idBytes)).toBe('ba7816bf8f01cfea414140de5dae2223');
    expect(idBytes.byteOffset).toBe(0);
    expect(idBytes.buffer.byteLength).toBe(ENVELOPE_ID_BYTES);
  });

  it('addressed envelope id: SHA-256 of tag || envelope, so one envelope for two mailboxes is two deposits', () => {
    // "ab" || "c" hashes as "abc".
    expect(toHex(addressedEnvelopeId(suite, abc.subarray(0, 2), abc.subarray(2)))).toBe('ba7816bf8f01cfea414140de5dae2223');
    const envelope = new Uint8Array([0x11, 1, 2, 3]);
    expect(toHex(addressedEnvelopeId(suite, new Uint8Array(4), envelope))).not.toBe(toHex(addressedEnvelopeId(suite, new Uint8Array(5), envelope)));
  });
});
