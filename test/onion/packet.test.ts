/**
 * Onion packet format (protocol/onion): fixed keys and seeded randomness, so
 * every size and byte asserted here is reproducible. Keys: relay i's onion
 * secret is SHA-256("relay-i"); the sender's randomness is SeededRandom('onion').
 */
import { describe, expect, it } from 'vitest';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { buildOnion, type OnionHop } from '../../protocol/onion/build.ts';
import { ONION_CLASSES, type OnionClass, onionPacketBytes } from '../../protocol/onion/constants.ts';
import { decodeOnionPacket } from '../../protocol/onion/packet.ts';
import { peelHop, type PeeledHop, verifyHop } from '../../protocol/onion/peel.ts';
import { decodeFinalPayload, encodeFinalPayload } from '../../protocol/onion/payload.ts';
import { delayCodeOf, delayMsOfCode } from '../../protocol/onion/delay.ts';

const suite = createNodeSuite();
const relays = [0, 1, 2, 3, 4].map((i) => {
  const secret = suite.sha256(utf8(`relay-${i}`));
  return { secret, onionKey: suite.x25519PublicKey(secret), serverId: suite.sha256(utf8(`id-${i}`)).slice(0, 8) };
});
/** A deposit request: kind 0x01, tag 16 x 0xaa, flags 0, envelope of 5 bytes (varint length 5). */
const DEPOSIT = Uint8Array.from([0x01, ...new Array<number>(16).fill(0xaa), 0x00, 0x05, 1, 2, 3, 4, 5]);

function hopsOf(n: number): OnionHop[] {
  return relays.slice(0, n).map((r, i) => ({ serverId: r.serverId, onionKey: r.onionKey, delayCode: 10 + i }));
}

function build(c: OnionClass, n: number, seed = 'onion'): Uint8Array {
  return buildOnion(suite, new SeededRandom(seed), c, hopsOf(n), encodeFinalPayload(c, DEPOSIT));
}

/** Peels hop by hop; returns every packet seen on the wire and the last hop's result. */
function route(packet: Uint8Array, n: number): { wire: Uint8Array[]; last: PeeledHop } {
  const wire = [packet];
  let current = packet;
  for (let i = 0; i < n; i++) {
    const decoded = decodeOnionPacket(current);
    if (!decoded.ok) throw new Error(`hop ${i}: ${decoded.message}`);
    const verified = verifyHop(suite, relays[i]!.secret, decoded.value);
    if (!verified.ok) throw new Error(`hop ${i}: ${verified.message}`);
    const peeled = peelHop(suite, verified.value);
    if (i === n - 1) return { wire, last: peeled };
    if (peeled.kind !== 'forward') throw new Error(`hop ${i} delivered early`);
    expect(toHex(peeled.nextServerId)).toBe(toHex(relays[i + 1]!.serverId));
    expect(peeled.delayMs).toBe(delayMsOfCode(10 + i));
    wire.push(peeled.packet);
    current = peeled.packet;
  }
  throw new Error('unreachable');
}

describe('onion packet sizes', () => {
  it('has one size per class: 49 fixed + 25 per routing entry + payload', () => {
    expect(onionPacketBytes(ONION_CLASSES.radio)).toBe(228);
    expect(onionPacketBytes(ONION_CLASSES.short)).toBe(558);
    expect(onionPacketBytes(ONION_CLASSES.long)).toBe(4398);
  });

  it('every hop count 1..5 and every position on the path gives the same size', () => {
    const sizes = new Set<number>();
    for (let n = 1; n <= 5; n++) {
      const { wire, last } = route(build(ONION_CLASSES.short, n), n);
      expect(wire).toHaveLength(n);
      for (const p of wire) sizes.add(p.length);
      expect(last.kind).toBe('deliver');
      if (last.kind !== 'deliver') return;
      expect(last.delayMs).toBe(delayMsOfCode(10 + n - 1));
      const deposit = decodeFinalPayload(last.payload);
      expect(deposit.ok && toHex(deposit.value)).toBe(toHex(DEPOSIT));
    }
    expect([...sizes]).toEqual([558]);
  });

  it('the radio class carries 3 hops and refuses a fourth', () => {
    const { last } = route(build(ONION_CLASSES.radio, 3), 3);
    expect(last.kind).toBe('deliver');
    expect(() => build(ONION_CLASSES.radio, 4)).toThrow(/1\.\.3 hops/);
  });

  it('is reproducible from fixed keys and seed (exact bytes)', () => {
    const p = build(ONION_CLASSES.radio, 3);
    expect(toHex(suite.sha256(p))).toBe('f6c56f708bcc4a67f5c4182ed99b6bad099d45a304e2b468cb20ed5d5c40daee');
    expect(toHex(build(ONION_CLASSES.radio, 3, 'other'))).not.toBe(toHex(p));
  });

  it('the portable suite builds the same bytes as the node suite', () => {
    const c = ONION_CLASSES.radio;
    const portable = buildOnion(createPortableSuite(), new SeededRandom('onion'), c, hopsOf(3), encodeFinalPayload(c, DEPOSIT));
    expect(toHex(portable)).toBe(toHex(build(c, 3)));
  });
});

describe('onion MAC', () => {
  it('a flipped byte anywhere in the packet fails the MAC at the hop that receives it', () => {
    const n = 3;
    const { wire } = route(build(ONION_CLASSES.radio, n), n);
    for (let hop = 0; hop < n; hop++) {
      const packet = wire[hop]!;
      for (let at = 1; at < packet.length; at++) {
        const tampered = packet.slice();
        tampered[at]! ^= 0x01;
        const decoded = decodeOnionPacket(tampered);
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        const verified = verifyHop(suite, relays[hop]!.secret, decoded.value);
        expect(verified.ok, `hop ${hop} byte ${at}`).toBe(false);
        if (!verified.ok) expect(['bad-mac', 'bad-key']).toContain(verified.code);
      }
    }
  });

  it('a packet for another relay fails the MAC', () => {
    const decoded = decodeOnionPacket(build(ONION_CLASSES.short, 2));
    if (!decoded.ok) throw new Error('decode');
    const verified = verifyHop(suite, relays[1]!.secret, decoded.value);
    expect(verified.ok ? 'ok' : verified.code).toBe('bad-mac');
  });

  it('the same packet gives the same replay tag; another packet another tag', () => {
    const tagOf = (p: Uint8Array) => {
      const d = decodeOnionPacket(p);
      if (!d.ok) throw new Error('decode');
      const v = verifyHop(suite, relays[0]!.secret, d.value);
      if (!v.ok) throw new Error('mac');
      return toHex(v.value.replayTag);
    };
    const p = build(ONION_CLASSES.short, 3);
    expect(tagOf(p)).toBe(tagOf(p.slice()));
    expect(tagOf(build(ONION_CLASSES.short, 3, 'again'))).not.toBe(tagOf(p));
  });
});

describe('delay codes', () => {
  it('maps codes to a 12.5 % geometric scale and back', () => {
    expect(delayMsOfCode(0)).toBe(0);
    expect(delayMsOfCode(1)).toBe(10);
    expect(delayMsOfCode(2)).toBe(11);
    expect(delayMsOfCode(127)).toBe(27_875_189);
    for (let c = 1; c <= 127; c++) expect(delayCodeOf(delayMsOfCode(c)), `code ${c}`).toBe(c);
    expect(delayCodeOf(1e12)).toBe(127);
    expect(delayCodeOf(Number.NaN)).toBe(0);
  });
});
