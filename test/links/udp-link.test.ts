/**
 * The UDP link between real sockets on loopback: the contract suite, the
 * datagram codec (exact bytes, fuzzing), hostile datagrams, own datagrams.
 */
import { createSocket, type Socket } from 'node:dgram';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { FrameTooLargeError, type ReceivedFrame } from '../../seams/link.ts';
import { LinkConfigError, LinkStartError } from '../../node-runtime/links/errors.ts';
import { decodeUdpDatagram, encodeUdpDatagram, udpHeaderBytes } from '../../node-runtime/links/udp/datagram.ts';
import { bindUdpLink, lookupLiteralAtOnce, type UdpLink } from '../../node-runtime/links/udp/udp-link.ts';
import { describeLinkContract } from '../seams/link.contract.ts';

const seeded = (label: string): SeededRandom => new SeededRandom(`udp-test-${label}`);

async function loopbackPair(options: { mtu?: number } = {}): Promise<{ a: UdpLink; b: UdpLink }> {
  const a = await bindUdpLink({ random: seeded('a'), bindAddress: '127.0.0.1', port: 0, mtu: options.mtu });
  const b = await bindUdpLink({ random: seeded('b'), bindAddress: '127.0.0.1', port: 0, mtu: options.mtu });
  a.addPeer({ host: '127.0.0.1', port: b.port, source: 'static' });
  b.addPeer({ host: '127.0.0.1', port: a.port, source: 'static' });
  return { a, b };
}

async function waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describeLinkContract('udp (datagrams between real sockets on 127.0.0.1)', async () => {
  const { a, b } = await loopbackPair();
  return { a, b, cleanup: async () => { await a.close(); await b.close(); } };
});

describe('UDP datagram codec', () => {
  const sender = fromHex('0102030405060708')!;

  it('puts magic, version and the sender id before the frame', () => {
    // 4d | 01 | 0102030405060708 | 68 69 ("hi")
    expect(toHex(encodeUdpDatagram(sender, utf8('hi')))).toBe('4d0101020304050607086869');
    const decoded = decodeUdpDatagram(fromHex('4d0101020304050607086869')!, 1200);
    expect(decoded.ok && [toHex(decoded.value.senderId), toHex(decoded.value.frame)]).toEqual(['0102030405060708', '6869']);
  });

  it('names what is wrong and where', () => {
    expect(decodeUdpDatagram(new Uint8Array(0), 10)).toMatchObject({ ok: false, code: 'truncated', offset: 0 });
    expect(decodeUdpDatagram(fromHex('4e01')!, 10)).toMatchObject({ ok: false, code: 'bad-kind', offset: 0 });
    expect(decodeUdpDatagram(fromHex('4d02010203040506070868')!, 10)).toMatchObject({ ok: false, code: 'bad-version', offset: 1 });
    expect(decodeUdpDatagram(fromHex('4d0101020304')!, 10)).toMatchObject({ ok: false, code: 'truncated', offset: 2 });
    expect(decodeUdpDatagram(fromHex('4d010102030405060708')!, 10)).toMatchObject({ ok: false, code: 'truncated', offset: 10 });
    expect(decodeUdpDatagram(encodeUdpDatagram(sender, new Uint8Array(11)), 10)).toMatchObject({ ok: false, code: 'too-long', offset: 0 });
    expect(decodeUdpDatagram(encodeUdpDatagram(sender, new Uint8Array(10)), 10).ok).toBe(true);
    expect(() => encodeUdpDatagram(new Uint8Array(7), utf8('x'))).toThrow(RangeError);
  });

  it('round-trips, and survives every truncation, random bytes and mutations (100,000+ inputs)', () => {
    let inputs = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), (id, frame) => {
        const wire = encodeUdpDatagram(id, frame);
        const back = decodeUdpDatagram(wire, 64);
        inputs++;
        if (!back.ok || toHex(back.value.frame) !== toHex(frame) || toHex(back.value.senderId) !== toHex(id)) return false;
        // Every cut up to a bare header fails; a cut inside the frame is a shorter frame, by design.
        for (let cut = 0; cut <= udpHeaderBytes; cut++) {
          inputs++;
          if (decodeUdpDatagram(wire.subarray(0, cut), 64).ok) return false;
        }
        return true;
      }),
      { numRuns: 6000, seed: 768 },
    );
    const random = seeded('fuzz');
    const pool = random.bytes(1 << 15);
    for (let i = 0; i < 60_000; i++) {
      const at = (i * 104_729) % (pool.length - 80);
      const input = pool.slice(at, at + (i % 80));
      if (i % 2 === 0 && input.length > 2) { input[0] = 0x4d; input[1] = 0x01; } // mutated valid header
      const r = decodeUdpDatagram(input, 64);
      inputs++;
      if (r.ok) {
        if (r.value.frame.length < 1 || r.value.frame.length > 64 || input.length !== udpHeaderBytes + r.value.frame.length) throw new Error('bad decode');
      } else if (r.offset < 0 || r.offset > input.length) {
        throw new Error(`offset ${r.offset} outside input of ${input.length}`);
      }
    }
    expect(inputs).toBeGreaterThanOrEqual(100_000);
  });
});

describe('UdpLink', () => {
  const toClose: Array<UdpLink | Socket> = [];
  afterEach(async () => {
    for (const x of toClose.splice(0)) {
      if ('kind' in x) await x.close();
      else await new Promise<void>((r) => x.close(() => r()));
    }
  });

  async function rawSocket(): Promise<Socket> {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    toClose.push(s);
    return s;
  }

  const sendRaw = (s: Socket, bytes: Uint8Array, port: number): Promise<void> =>
    new Promise((resolve, reject) => s.send(bytes, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));

  it('sends one datagram per peer, with the header, and reports the sender address', async () => {
    const { a, b } = await loopbackPair();
    toClose.push(a, b);
    const raw = await rawSocket();
    const heard: Buffer[] = [];
    raw.on('message', (m) => heard.push(m));
    a.addPeer({ host: '127.0.0.1', port: raw.address().port, source: 'static' });
    const got: ReceivedFrame[] = [];
    b.onFrame((f) => got.push(f));
    await a.send(utf8('fan out'));
    await waitFor(() => got.length === 1 && heard.length === 1);
    expect(toHex(heard[0]!)).toBe(`4d01${a.senderIdHex}${toHex(utf8('fan out'))}`);
    expect(got[0]!.linkAddress).toBe(`127.0.0.1:${a.port}`);
    expect(a.stats()).toMatchObject({ framesSent: 1, datagramsSent: 2, bytesSent: 7, sendErrors: 0 });
  });

  it('drops and counts hostile datagrams, and keeps working', async () => {
    const { a, b } = await loopbackPair({ mtu: 100 });
    toClose.push(a, b);
    const got: ReceivedFrame[] = [];
    b.onFrame((f) => got.push(f));
    const raw = await rawSocket();
    const random = seeded('hostile');
    let oversize = 0;
    for (let i = 0; i < 500; i++) {
      const bytes = random.bytes(random.int(200));
      if (bytes.length > 0 && bytes[0] === 0x4d) bytes[0] = 0x4e; // no valid magic, so the counts are exact
      if (bytes.length > udpHeaderBytes + 100) oversize++; // refused on size before anything is read
      await sendRaw(raw, bytes, b.port);
      // Pace the burst: loopback drops datagrams once the receive buffer is full.
      if (i % 20 === 19) await waitFor(() => b.stats().framesDropped === i + 1);
    }
    await sendRaw(raw, fromHex('4d0201020304050607086869')!, b.port); // unknown version
    await sendRaw(raw, fromHex('4d010102030405060708')!, b.port); // header, no frame
    await sendRaw(raw, encodeUdpDatagram(new Uint8Array(8), new Uint8Array(101)), b.port); // over mtu
    await sendRaw(raw, new Uint8Array(60_000), b.port); // far over
    await sendRaw(raw, encodeUdpDatagram(new Uint8Array(8).fill(9), utf8('from a stranger')), b.port);
    await a.send(utf8('from a peer'));
    await waitFor(() => got.length === 2 && b.stats().framesDropped === 504);
    expect(got.map((f) => new TextDecoder().decode(f.bytes)).sort()).toEqual(['from a peer', 'from a stranger']);
    expect(oversize).toBeGreaterThan(100);
    expect(b.stats()).toMatchObject({
      droppedNotMeow: 500 - oversize, droppedBadVersion: 1, droppedEmpty: 1, droppedOversize: oversize + 2, framesReceived: 2,
    });
  });

  it('ignores its own datagrams (itself as a peer), without counting them as drops', async () => {
    const a = await bindUdpLink({ random: seeded('self'), bindAddress: '127.0.0.1', port: 0 });
    toClose.push(a);
    a.addPeer({ host: '127.0.0.1', port: a.port, source: 'static' });
    const got: ReceivedFrame[] = [];
    a.onFrame((f) => got.push(f));
    await a.send(utf8('echo?'));
    await waitFor(() => a.stats().ownDatagramsIgnored === 1);
    expect(got).toHaveLength(0);
    expect(a.stats()).toMatchObject({ framesDropped: 0, framesReceived: 0 });
  });

  it('drops frames from unknown senders when told to', async () => {
    const a = await bindUdpLink({ random: seeded('strict'), bindAddress: '127.0.0.1', port: 0, acceptUnknownSenders: false });
    toClose.push(a);
    const got: ReceivedFrame[] = [];
    a.onFrame((f) => got.push(f));
    const raw = await rawSocket();
    await sendRaw(raw, encodeUdpDatagram(new Uint8Array(8).fill(1), utf8('who?')), a.port);
    await waitFor(() => a.stats().droppedUnknownSender === 1);
    a.addPeer({ host: '127.0.0.1', port: raw.address().port, source: 'static' });
    await sendRaw(raw, encodeUdpDatagram(new Uint8Array(8).fill(1), utf8('friend')), a.port);
    await waitFor(() => got.length === 1);
    expect(new TextDecoder().decode(got[0]!.bytes)).toBe('friend');
  });

  it('settles a send still resolving a peer host name when the link closes', async () => {
    const a = await bindUdpLink({ random: seeded('lookup'), bindAddress: '127.0.0.1', port: 0, peers: ['localhost:9', '127.0.0.1:9'] });
    const sending = a.send(utf8('racing close'));
    await a.close();
    await expect(sending).resolves.toBeUndefined();
    expect(a.stats().framesSent).toBe(1);
  });

  it('answers an IP literal at once and sends a host name to the resolver', async () => {
    const answers: string[] = [];
    lookupLiteralAtOnce('127.0.0.1', 4, (err, address, family) => answers.push(`${String(err)} ${address} ${family}`));
    lookupLiteralAtOnce('::1', { family: 6 }, (err, address, family) => answers.push(`${String(err)} ${address} ${family}`));
    // Answered before lookupLiteralAtOnce returned: no tick between a datagram and its sendto.
    expect(answers).toEqual(['null 127.0.0.1 4', 'null ::1 6']);
    const named = await new Promise<string>((resolve) => {
      lookupLiteralAtOnce('localhost', 4, (err, address, family) => resolve(`${String(err)} ${address} ${family}`));
      expect(answers).toHaveLength(2);
    });
    expect(named).toBe('null 127.0.0.1 4');
    // An IPv6 literal asked for an IPv4 socket is left to dns.lookup (as node:dgram would), on its own schedule.
    let late = '';
    const wrongFamily = new Promise<void>((resolve) => lookupLiteralAtOnce('::1', 4, (err, address, family) => {
      late = `${String(err)} ${address} ${family}`;
      resolve();
    }));
    expect(late).toBe('');
    await wrongFamily;
    expect(late).toBe('null ::1 6');
  });

  it('settles a send once every peer has its datagram, each counted once', async () => {
    const a = await bindUdpLink({ random: seeded('fanout'), bindAddress: '127.0.0.1', port: 0 });
    toClose.push(a);
    const sinks = [await rawSocket(), await rawSocket(), await rawSocket()];
    const heard = sinks.map(() => 0);
    sinks.forEach((s, i) => {
      s.on('message', () => heard[i]!++);
      a.addPeer({ host: '127.0.0.1', port: s.address().port, source: 'static' });
    });
    await Promise.all([a.send(utf8('one')), a.send(utf8('two'))]);
    await waitFor(() => heard.every((n) => n === 2));
    expect(a.stats()).toMatchObject({ framesSent: 2, datagramsSent: 6, sendErrors: 0 });
    a.removePeer('127.0.0.1', sinks[0]!.address().port);
    a.removePeer('127.0.0.1', sinks[1]!.address().port);
    a.removePeer('127.0.0.1', sinks[2]!.address().port);
    await expect(a.send(utf8('nobody'))).resolves.toBeUndefined();
    expect(a.stats()).toMatchObject({ framesSent: 3, datagramsSent: 6 });
  });

  it('caps its peer table and ignores duplicates', async () => {
    const a = await bindUdpLink({ random: seeded('cap'), bindAddress: '127.0.0.1', port: 0, maxPeers: 2, peers: ['127.0.0.1:9'] });
    toClose.push(a);
    expect(a.addPeer({ host: '127.0.0.1', port: 9, source: 'mdns' })).toBe(false);
    expect(a.addPeer({ host: '127.0.0.2', port: 9, source: 'mdns' })).toBe(true);
    expect(a.addPeer({ host: '127.0.0.3', port: 9, source: 'mdns' })).toBe(false);
    expect(a.peers().map((p) => `${p.host}:${p.port}/${p.source}`)).toEqual(['127.0.0.1:9/static', '127.0.0.2:9/mdns']);
    expect(a.removePeer('127.0.0.2', 9)).toBe(true);
    expect(a.peers()).toHaveLength(1);
  });

  it('refuses bad configuration and a port in use', async () => {
    const a = await bindUdpLink({ random: seeded('busy'), bindAddress: '127.0.0.1', port: 0 });
    toClose.push(a);
    await expect(bindUdpLink({ random: seeded('x'), bindAddress: '127.0.0.1', port: a.port })).rejects.toBeInstanceOf(LinkStartError);
    await expect(bindUdpLink({ random: seeded('x'), port: 70_000 })).rejects.toBeInstanceOf(LinkConfigError);
    await expect(bindUdpLink({ random: seeded('x'), port: 0, mtu: 0 })).rejects.toBeInstanceOf(LinkConfigError);
    await expect(bindUdpLink({ random: seeded('x'), port: 0, peers: ['nonsense'] })).rejects.toBeInstanceOf(LinkConfigError);
    await expect(a.send(new Uint8Array(a.mtu + 1))).rejects.toBeInstanceOf(FrameTooLargeError);
    expect(a.airtimeMs()).toBe(0);
  });
});
