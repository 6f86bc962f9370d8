/**
 * The hole punching mechanism on loopback: the relay's address reflector,
 * observe from the endpoint's own socket, the observed address sealed in
 * presence, simultaneous punches, then envelopes from the endpoint socket.
 * Loopback has no NAT: this shows every step works and is refused where it
 * should be, not that a real NAT lets the punches through.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { openPresence, sealPresence } from '../../protocol/session/presence.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { decodeDirectDatagram, encodeObserve, encodeObserved, encodePunch } from '../../node-runtime/direct/datagram.ts';
import { type DirectEndpoint, startDirectEndpoint } from '../../node-runtime/direct/endpoint.ts';
import { startAddressReflector } from '../../gateway/server/reflector.ts';
import { pair, suite as sessionSuite } from '../session/helpers.ts';

const suite = createNodeSuite();
const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

const token = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

async function endpoint(kept: Set<string>): Promise<DirectEndpoint> {
  const ep = await startDirectEndpoint({
    suite, clock: systemClock, log,
    accept: (e) => {
      if (kept.has(toHex(e))) return 'duplicate';
      kept.add(toHex(e));
      return 'stored';
    },
  }, { host: '127.0.0.1', port: 0, perSourcePerSecond: 1000, burst: 1000, maxSources: 16 });
  open.push(ep);
  return ep;
}

describe('hole punching datagrams', () => {
  it('encode to exact bytes and decode back', () => {
    const t = toHex(token);
    expect(toHex(encodePunch(token))).toBe(`03${t}`);
    expect(toHex(encodeObserve(token))).toBe(`10${t}${'00'.repeat(19)}`);
    expect(toHex(encodeObserved(token, '127.0.0.1', 0x1234))).toBe(`11${t}0412347f000001`);
    expect(toHex(encodeObserved(token, '::ffff:10.0.0.7', 80))).toBe(`11${t}0400500a000007`);
    expect(toHex(encodeObserved(token, 'fe80::1', 443))).toBe(`11${t}0601bbfe80${'00'.repeat(13)}01`);
    expect(decodeDirectDatagram(encodeObserved(token, 'fe80::1', 443))).toEqual({ ok: true, value: { type: 'observed', token, host: 'fe80:0:0:0:0:0:0:1', port: 443 } });
    expect(decodeDirectDatagram(encodePunch(token).subarray(0, 10))).toMatchObject({ ok: false, code: 'truncated' });
    expect(decodeDirectDatagram(encodeObserve(token).subarray(0, 17))).toMatchObject({ ok: false, code: 'truncated' });
    expect(decodeDirectDatagram(Uint8Array.of(...encodeObserved(token, '1.2.3.4', 5), 0))).toMatchObject({ ok: false, code: 'trailing-bytes', offset: 24 });
    expect(() => encodeObserved(token, '300.1.1.1', 1)).toThrow(RangeError);
  });
});

describe('hole punching on loopback', () => {
  it('observes, publishes the observed address sealed, punches both ways, then sends from the punched socket', async () => {
    const reflector = await startAddressReflector(systemClock, { host: '127.0.0.1', port: 0, perSource: { capacity: 100, refillPerSecond: 100 }, maxSources: 16 });
    open.push(reflector);
    const aliceKept = new Set<string>();
    const bobKept = new Set<string>();
    const a = await endpoint(aliceKept);
    const b = await endpoint(bobKept);
    const at = `udp://127.0.0.1:${reflector.port}`;
    const aliceSeen = await a.observe(at, token, 2_000);
    const bobSeen = await b.observe(at, Uint8Array.from(token).reverse(), 2_000);
    expect(aliceSeen).toBe(`udp://127.0.0.1:${a.port}`);
    expect(bobSeen).toBe(`udp://127.0.0.1:${b.port}`);

    // Each publishes what the reflector saw, sealed for the other (the relay storing it cannot read it).
    const { alice, bob, random } = pair('hole-punch');
    const now = Date.now();
    const fromBob = openPresence(sessionSuite, alice, sealPresence(sessionSuite, bob, bobSeen, now + 600_000, random), now);
    const fromAlice = openPresence(sessionSuite, bob, sealPresence(sessionSuite, alice, aliceSeen, now + 600_000, random), now);
    expect(fromBob.ok && fromBob.value.address).toBe(bobSeen);
    expect(fromAlice.ok && fromAlice.value.address).toBe(aliceSeen);

    // Both punch at once; on loopback every punch arrives.
    await Promise.all([a.punch(bobSeen, token, 3, 20), b.punch(aliceSeen, token, 3, 20)]);
    await new Promise((r) => setTimeout(r, 100));
    expect(a.stats().punches).toBe(3);
    expect(b.stats().punches).toBe(3);

    const envelope = alice.sealText('through the hole').envelope;
    expect(await a.sendEnvelope(bobSeen, envelope)).toBe('stored');
    expect(await a.sendEnvelope(bobSeen, envelope)).toBe('duplicate');
    expect([...bobKept]).toEqual([toHex(envelope)]);
    expect(reflector.stats()).toEqual({ answered: 2, dropped: 0 });
  });

  it('ignores an observed answer from anywhere but the reflector, and a reflector answers nothing unpadded', async () => {
    const a = await endpoint(new Set());
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    open.push({ close: () => new Promise<void>((resolve) => silent.close(() => resolve())) });
    const forger = createSocket('udp4');
    open.push({ close: () => new Promise<void>((resolve) => forger.close(() => resolve())) });
    const observing = a.observe(`udp://127.0.0.1:${silent.address().port}`, token, 500);
    forger.send(encodeObserved(token, '6.6.6.6', 666), a.port, '127.0.0.1');
    await expect(observing).rejects.toMatchObject({ name: 'DirectPathError', code: 'unreachable' });

    const reflector = await startAddressReflector(systemClock, { host: '127.0.0.1', port: 0, perSource: { capacity: 1, refillPerSecond: 0.001 }, maxSources: 16 });
    open.push(reflector);
    const got: Buffer[] = [];
    silent.on('message', (m) => got.push(m));
    silent.send(encodeObserve(token).subarray(0, 17), reflector.port, '127.0.0.1');
    silent.send(encodeObserve(token), reflector.port, '127.0.0.1');
    silent.send(encodeObserve(token), reflector.port, '127.0.0.1'); // over the budget of 1
    await new Promise((r) => setTimeout(r, 200));
    expect(got.map((m) => toHex(m))).toEqual([toHex(encodeObserved(token, '127.0.0.1', silent.address().port))]);
    expect(reflector.stats()).toEqual({ answered: 1, dropped: 2 });
  });
});
