import { describe, expect, it } from 'vitest';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { RadioMedium } from '../../hardware/radio-sim/medium.ts';
import { SimRadioLink } from '../../node-runtime/links/sim-radio/sim-radio-link.ts';
import { FrameTooLargeError, LinkClosedError, type ReceivedFrame } from '../../seams/link.ts';
import { timeOnAirMs, LONG_FAST } from '../../protocol/mesh/airtime.ts';

function pair(options: { mtu?: number } = {}) {
  const clock = new SimClock();
  const medium = new RadioMedium({ clock, seed: 'link' });
  medium.addNode({ id: 'a', x: 0, y: 0 });
  medium.addNode({ id: 'b', x: 500, y: 0 });
  const a = new SimRadioLink({ medium, nodeId: 'a', ...options });
  const b = new SimRadioLink({ medium, nodeId: 'b', ...options });
  const atA: ReceivedFrame[] = [];
  const atB: ReceivedFrame[] = [];
  a.onFrame((f) => atA.push(f));
  b.onFrame((f) => atB.push(f));
  return { clock, medium, a, b, atA, atB };
}

describe('SimRadioLink', () => {
  it('is a sim-radio link with the medium airtime and a 255-byte mtu', () => {
    const { a } = pair();
    expect(a.kind).toBe('sim-radio');
    expect(a.id).toBe('sim-radio:a');
    expect(a.mtu).toBe(255);
    expect(a.airtimeMs(42)).toBe(timeOnAirMs(LONG_FAST, 42));
    expect(() => pair({ mtu: 256 })).toThrow(RangeError);
  });

  it('resolves send after the time on air and delivers with RSSI and SNR, without echo', async () => {
    const { clock, medium, a, atA, atB } = pair();
    let sentAt = -1;
    const p = a.send(new Uint8Array([1, 2, 3])).then(() => (sentAt = clock.now()));
    await clock.runUntilIdle();
    await p;
    expect(sentAt).toBe(timeOnAirMs(LONG_FAST, 3));
    expect(atA).toHaveLength(0);
    expect(atB).toHaveLength(1);
    expect(atB[0]?.bytes).toEqual(new Uint8Array([1, 2, 3]));
    const budget = medium.linkBudget('a', 'b');
    expect(atB[0]?.rssiDbm).toBe(budget?.rssiDbm);
    expect(atB[0]?.snrDb).toBe(budget?.snrDb);
    expect(a.stats()).toMatchObject({ framesSent: 1, bytesSent: 3 });
  });

  it('puts queued frames on air one after another', async () => {
    const { clock, a, atB } = pair();
    const done: number[] = [];
    const sends = [10, 20, 30].map((n) => a.send(new Uint8Array(n).fill(n)).then(() => done.push(clock.now())));
    await clock.runUntilIdle();
    await Promise.all(sends);
    const t1 = timeOnAirMs(LONG_FAST, 10);
    const t2 = t1 + timeOnAirMs(LONG_FAST, 20);
    const t3 = t2 + timeOnAirMs(LONG_FAST, 30);
    expect(done).toEqual([t1, t2, t3]);
    expect(atB.map((f) => f.bytes.length)).toEqual([10, 20, 30]);
  });

  it('rejects oversize frames and sends after close; close is idempotent and silences handlers', async () => {
    const { clock, a, b, atB } = pair({ mtu: 100 });
    await expect(a.send(new Uint8Array(101))).rejects.toBeInstanceOf(FrameTooLargeError);
    const onAir = a.send(new Uint8Array(5));
    const queued = a.send(new Uint8Array(6));
    await b.close();
    await b.close();
    await a.close();
    await expect(queued).rejects.toBeInstanceOf(LinkClosedError);
    await expect(a.send(new Uint8Array(1))).rejects.toBeInstanceOf(LinkClosedError);
    await clock.runUntilIdle();
    await onAir; // a frame already on air still leaves
    expect(atB).toHaveLength(0);
  });

  it('rejects a send when the node is already on air behind the link, and keeps working', async () => {
    const { clock, medium, a, atB } = pair();
    medium.transmit('a', new Uint8Array(10));
    await expect(a.send(new Uint8Array(3))).rejects.toMatchObject({ name: 'RadioMediumError', code: 'already-transmitting' });
    await clock.runUntilIdle();
    const later = a.send(new Uint8Array(4));
    await clock.runUntilIdle();
    await later;
    expect(atB.map((f) => f.bytes.length)).toEqual([10, 4]);
  });

  it('counts frames destroyed by collisions as dropped', async () => {
    const clock = new SimClock();
    const medium = new RadioMedium({ clock, seed: 2 });
    for (const [id, x] of [['a', 0], ['b', 1000], ['r', 500]] as const) medium.addNode({ id, x, y: 0 });
    const [a, b, r] = ['a', 'b', 'r'].map((nodeId) => new SimRadioLink({ medium, nodeId }));
    const got: ReceivedFrame[] = [];
    r?.onFrame((f) => got.push(f));
    void a?.send(new Uint8Array(20));
    void b?.send(new Uint8Array(20));
    await clock.runUntilIdle();
    expect(got).toHaveLength(0);
    expect(r?.stats().framesDropped).toBe(2);
  });
});
