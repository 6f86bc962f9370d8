/**
 * The counting UDP relay of the whole-node benchmark (scripts/bench/udp-tap.ts):
 * it forwards every datagram unchanged both ways and counts exactly what
 * passed, by direction and mesh frame kind, so the bytes-on-the-wire figure
 * can be wrong only if the nodes sent something else.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { bothWays, kindOf, openUdpTap, type UdpTap } from '../../scripts/bench/udp-tap.ts';

async function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  return s;
}

function collect(s: Socket): Buffer[] {
  const got: Buffer[] = [];
  s.on('message', (m) => got.push(m));
  return got;
}

async function until(cond: () => boolean): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > 10_000) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A Meow UDP datagram: magic, version, 8-byte sender id, then a frame whose first byte carries the kind. */
function datagram(kind: number, frameBytes: number): Buffer {
  const d = Buffer.alloc(10 + frameBytes, 0xab);
  d[0] = 0x4d;
  d[1] = 0x01;
  d[10] = kind << 5;
  return d;
}

describe('udp tap', () => {
  let tap: UdpTap | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    await tap?.close();
    tap = undefined;
    for (const s of sockets.splice(0)) s.close();
  });

  it('forwards datagrams unchanged both ways and counts each byte once, by direction and kind', async () => {
    const left = await bound();
    const right = await bound();
    sockets.push(left, right);
    const atLeft = collect(left);
    const atRight = collect(right);
    tap = await openUdpTap({ leftTarget: left.address().port, rightTarget: right.address().port });

    const data = datagram(0, 41);
    const ack = datagram(2, 17);
    const stray = Buffer.from('not meow');
    left.send(data, tap.leftPort, '127.0.0.1');
    left.send(data, tap.leftPort, '127.0.0.1');
    left.send(stray, tap.leftPort, '127.0.0.1');
    right.send(ack, tap.rightPort, '127.0.0.1');
    await until(() => atRight.length === 3 && atLeft.length === 1);

    expect(atRight.map((b) => b.toString('hex')).sort()).toEqual([data, data, stray].map((b) => b.toString('hex')).sort());
    expect(atLeft[0]!.equals(ack)).toBe(true);
    const c = tap.counts();
    expect(c.rightward.datagrams).toBe(3);
    expect(c.rightward.bytes).toBe(51 + 51 + 8);
    expect(c.rightward.byKind.get('data')).toEqual({ datagrams: 2, bytes: 102 });
    expect(c.rightward.byKind.get('other')).toEqual({ datagrams: 1, bytes: 8 });
    expect(c.leftward.datagrams).toBe(1);
    expect(c.leftward.bytes).toBe(27);
    expect(c.leftward.byKind.get('ack')).toEqual({ datagrams: 1, bytes: 27 });
    expect(bothWays(c)).toEqual({ datagrams: 4, bytes: 137 });
    expect(bothWays(c, 'ack')).toEqual({ datagrams: 1, bytes: 27 });
    expect(bothWays(c, 'announce')).toEqual({ datagrams: 0, bytes: 0 });

    tap.reset();
    expect(bothWays(tap.counts())).toEqual({ datagrams: 0, bytes: 0 });
  });

  it('answers the sender from the port it was sent to, so each node sees its configured peer', async () => {
    const left = await bound();
    const right = await bound();
    sockets.push(left, right);
    const from: number[] = [];
    right.on('message', (_m, rinfo) => from.push(rinfo.port));
    tap = await openUdpTap({ leftTarget: left.address().port, rightTarget: right.address().port });
    left.send(datagram(0, 10), tap.leftPort, '127.0.0.1');
    await until(() => from.length === 1);
    expect(from[0]).toBe(tap.rightPort);
  });

  it('names frame kinds from the byte after the 10-byte link header', () => {
    expect(kindOf(datagram(0, 1))).toBe('data');
    expect(kindOf(datagram(2, 1))).toBe('ack');
    expect(kindOf(datagram(4, 1))).toBe('announce');
    expect(kindOf(datagram(5, 1))).toBe('route-request');
    expect(kindOf(Buffer.alloc(10, 0x4d))).toBe('other');
    const wrongMagic = datagram(0, 5);
    wrongMagic[0] = 0x4e;
    expect(kindOf(wrongMagic)).toBe('other');
  });
});
