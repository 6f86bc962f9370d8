/**
 * The serial link over the real serialport stack (SerialPortStream) on
 * @serialport/binding-mock, two ports joined by a null-modem harness.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { FrameTooLargeError, LinkClosedError, type ReceivedFrame } from '../../seams/link.ts';
import { LinkConfigError } from '../../node-runtime/links/errors.ts';
import { SerialLink, type SerialLinkEvent } from '../../node-runtime/links/serial/serial-link.ts';
import { crc32Of, decodeSerialFrame, encodeSerialFrame } from '../../node-runtime/links/serial/serial-frame.ts';
import { SlipFrameEncoder } from '../../node-runtime/links/framing/slip-encoder.ts';
import { describeLinkContract } from '../seams/link.contract.ts';
import { MockNullModem } from './support/mock-null-modem.ts';

let cableNumber = 0;
function newCable(): MockNullModem {
  cableNumber++;
  const tag = `${process.pid}-${cableNumber}-${Math.floor(Math.random() * 1e9)}`;
  return new MockNullModem(`/dev/ttyMOCK-a-${tag}`, `/dev/ttyMOCK-b-${tag}`);
}

interface Ends {
  cable: MockNullModem;
  a: SerialLink;
  b: SerialLink;
  events: SerialLinkEvent[];
}

async function connectedPair(options: { mtu?: number } = {}): Promise<Ends> {
  const cable = newCable();
  const events: SerialLinkEvent[] = [];
  const common = {
    clock: systemClock,
    random: new SeededRandom('serial-backoff'),
    openPort: cable.openPort,
    initialReconnectDelayMs: 10,
    maxReconnectDelayMs: 80,
    mtu: options.mtu ?? 255,
  };
  const a = new SerialLink({ ...common, path: cable.pathA, id: 'serial-a', onEvent: (e) => events.push(e) });
  const b = new SerialLink({ ...common, path: cable.pathB, id: 'serial-b' });
  await Promise.all([a.whenOpen(), b.whenOpen()]);
  return { cable, a, b, events };
}

async function waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describeLinkContract('serial (SLIP + CRC-32 over serialport on binding-mock)', async () => {
  const { a, b } = await connectedPair();
  return { a, b, cleanup: async () => { await a.close(); await b.close(); } };
});

describe('serial frame (mesh frame + CRC-32)', () => {
  interface CrcCase { name: string; hex?: string; ascii?: string; crc32: string }
  const crcVectors = JSON.parse(readFileSync(new URL('./vectors/crc32-iso-hdlc.json', import.meta.url), 'utf8')) as { cases: CrcCase[] };
  for (const c of crcVectors.cases) {
    it(`CRC-32/ISO-HDLC: ${c.name}`, () => {
      const bytes = c.ascii !== undefined ? utf8(c.ascii) : fromHex(c.hex ?? '')!;
      expect(crc32Of(bytes).toString(16).padStart(8, '0')).toBe(c.crc32);
    });
  }

  it('appends the CRC big-endian and checks it', () => {
    // 01 c0 db | 24 78 6f 37 = CRC-32 of 01c0db (binascii.crc32)
    expect(toHex(encodeSerialFrame(Uint8Array.of(0x01, 0xc0, 0xdb)))).toBe('01c0db24786f37');
    const decoded = decodeSerialFrame(fromHex('01c0db24786f37')!, 255);
    expect(decoded.ok && toHex(decoded.value)).toBe('01c0db');
  });

  it('refuses a flipped bit, a short frame and an oversize frame with a code and an offset', () => {
    expect(decodeSerialFrame(fromHex('01c0db24786f36')!, 255)).toMatchObject({ ok: false, code: 'bad-checksum', offset: 3 });
    expect(decodeSerialFrame(fromHex('24786f')!, 255)).toMatchObject({ ok: false, code: 'truncated' });
    expect(decodeSerialFrame(fromHex('00000000')!, 255)).toMatchObject({ ok: false, code: 'truncated' });
    expect(decodeSerialFrame(encodeSerialFrame(new Uint8Array(11)), 10)).toMatchObject({ ok: false, code: 'too-long' });
  });

  it('round-trips, and rejects single-bit errors, truncations and junk, over 100,000 inputs', () => {
    const random = new SeededRandom('serial-frame-fuzz');
    const pool = random.bytes(1 << 14);
    let checked = 0;
    for (let i = 0; i < 25_000; i++) {
      const at = (i * 7919) % (pool.length - 256);
      const frame = pool.subarray(at, at + 1 + (i % 255));
      const wire = encodeSerialFrame(frame);
      const good = decodeSerialFrame(wire, 255);
      if (!good.ok || toHex(good.value) !== toHex(frame)) throw new Error(`round trip failed for ${toHex(frame)}`);
      const flipped = wire.slice();
      const bit = (i * 31) % (wire.length * 8);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      if (decodeSerialFrame(flipped, 255).ok) throw new Error(`bit ${bit} flip undetected in ${toHex(wire)}`);
      const cut = decodeSerialFrame(wire.subarray(0, i % wire.length), 255);
      if (cut.ok) throw new Error(`truncation to ${i % wire.length} accepted`);
      const junk = decodeSerialFrame(pool.subarray(at, at + (i % 300)), 255);
      if (junk.ok && crc32Of(junk.value) !== new DataView(pool.buffer, pool.byteOffset + at + junk.value.length, 4).getUint32(0)) {
        throw new Error('accepted junk with a wrong CRC');
      }
      checked += 4;
    }
    expect(checked).toBeGreaterThanOrEqual(100_000);
  });
});

describe('SerialLink', () => {
  const open: SerialLink[] = [];
  afterEach(async () => {
    for (const link of open.splice(0)) await link.close();
  });
  const track = (ends: Ends): Ends => {
    open.push(ends.a, ends.b);
    return ends;
  };

  it('writes END, the SLIP-escaped frame with its CRC, END on the wire', async () => {
    const { cable, a } = track(await connectedPair());
    await a.send(Uint8Array.of(0x01, 0xc0, 0xdb));
    // c0 | 01 dbdc dbdd | 24 78 6f 37 | c0
    expect(cable.recording(cable.pathA).toString('hex')).toBe('c001dbdcdbdd24786f37c0');
    expect(a.stats()).toMatchObject({ framesSent: 1, bytesSent: 3 });
    expect(a.airtimeMs(3)).toBeCloseTo(((3 + 4 + 2) * 10 * 1000) / 115_200, 9);
  });

  it('skips garbage on the line and keeps delivering good frames, counting what it dropped', async () => {
    const { cable, a, b } = track(await connectedPair({ mtu: 64 }));
    const got: ReceivedFrame[] = [];
    b.onFrame((f) => got.push(f));
    const noise = new SeededRandom('line-noise');
    const encoder = new SlipFrameEncoder();
    // Noise without framing bytes, a frame with a bad CRC, a bad escape, an oversize frame, a too-short frame.
    cable.inject(cable.pathB, noise.bytes(500).map((x) => (x === 0xc0 || x === 0xdb ? 0x55 : x)));
    const badCrc = encodeSerialFrame(utf8('bad crc'));
    badCrc[0]! ^= 0x01;
    cable.inject(cable.pathB, encoder.encode(badCrc));
    cable.inject(cable.pathB, fromHex('c00102db41c0')!);
    cable.inject(cable.pathB, encoder.encode(new Uint8Array(200)));
    cable.inject(cable.pathB, fromHex('c0aabbc0')!);
    await a.send(utf8('still here'));
    await waitFor(() => got.length === 1);
    expect(new TextDecoder().decode(got[0]!.bytes)).toBe('still here');
    // noise (500 bytes before the first END: oversize), bad CRC, bad escape, 200 zeros (oversize), 2 bytes (too short)
    expect(b.stats()).toMatchObject({
      framesReceived: 1,
      framesDropped: 5,
      droppedOversize: 2,
      droppedBadChecksum: 1,
      droppedBadEscape: 1,
      droppedTooShort: 1,
    });
  });

  it('counts a frame corrupted in flight as a bad checksum, not as a frame', async () => {
    const { cable, a, b } = track(await connectedPair());
    const got: ReceivedFrame[] = [];
    b.onFrame((f) => got.push(f));
    cable.tamper = (bytes) => {
      const copy = Buffer.from(bytes);
      copy[3] = copy[3]! ^ 0x10; // a data byte (not a framing byte in this frame)
      return [copy];
    };
    await a.send(utf8('hello mesh'));
    await waitFor(() => b.stats().framesDropped === 1);
    cable.tamper = undefined;
    await a.send(utf8('hello again'));
    await waitFor(() => got.length === 1);
    expect(new TextDecoder().decode(got[0]!.bytes)).toBe('hello again');
    expect(b.stats()).toMatchObject({ droppedBadChecksum: 1, framesReceived: 1 });
  });

  it('delivers frames the line splits into one-byte reads', async () => {
    const { cable, a, b } = track(await connectedPair());
    const got: string[] = [];
    b.onFrame((f) => got.push(toHex(f.bytes)));
    cable.tamper = (bytes) => Array.from(bytes, (x) => Buffer.of(x));
    const frames = [Uint8Array.of(0xc0, 0xc0), Uint8Array.of(0xdb), utf8('split')];
    for (const f of frames) await a.send(f);
    await waitFor(() => got.length === 3);
    expect(got).toEqual(frames.map(toHex));
  });

  it('reconnects after the port is lost, dropping and counting sends while it is down', async () => {
    const { cable, a, b, events } = track(await connectedPair());
    const got: string[] = [];
    b.onFrame((f) => got.push(toHex(f.bytes)));
    cable.failNextOpens(cable.pathA, 2);
    await cable.unplug(cable.pathA);
    await waitFor(() => !a.isOpen);
    await a.send(utf8('lost'));
    expect(a.stats().framesUnsentPortDown).toBe(1);
    await a.whenOpen();
    await a.send(utf8('back'));
    await waitFor(() => got.length === 1);
    expect(got).toEqual([toHex(utf8('back'))]);
    expect(a.stats()).toMatchObject({ portLosses: 1, portReopens: 1, framesSent: 1, framesUnsentPortDown: 1 });
    const types = events.map((e) => e.type);
    expect(types).toEqual(['open', 'lost', 'open-failed', 'open-failed', 'open']);
    const delays = events.filter((e): e is Extract<SerialLinkEvent, { type: 'open-failed' }> => e.type === 'open-failed').map((e) => e.retryInMs);
    // Backoff: 10 ms doubling, equal jitter: first retry after losing in [5, 10], then [10, 20] and [20, 40].
    expect(delays[0]).toBeGreaterThanOrEqual(10);
    expect(delays[0]).toBeLessThanOrEqual(20);
    expect(delays[1]).toBeGreaterThanOrEqual(20);
    expect(delays[1]).toBeLessThanOrEqual(40);
  });

  it('settles sends queued in a port that is lost, counting them as unsent', async () => {
    const { cable, a } = track(await connectedPair());
    cable.writeDelayMs = 5;
    const sends = Array.from({ length: 40 }, (_, i) => a.send(utf8(`queued ${i}`)));
    await cable.unplug(cable.pathA);
    const outcome = await Promise.race([
      Promise.all(sends).then(() => 'settled'),
      new Promise((r) => setTimeout(() => r('hung'), 2000)),
    ]);
    expect(outcome).toBe('settled');
    const s = a.stats();
    expect(s.framesSent + s.framesUnsentPortDown).toBe(40);
    expect(s.framesUnsentPortDown).toBeGreaterThan(0);
  });

  it('settles sends in flight when closed', async () => {
    const { cable, a } = track(await connectedPair());
    cable.writeDelayMs = 5;
    const sends = Array.from({ length: 40 }, (_, i) => a.send(utf8(`closing ${i}`)));
    await a.close();
    const outcome = await Promise.race([
      Promise.all(sends).then(() => 'settled'),
      new Promise((r) => setTimeout(() => r('hung'), 2000)),
    ]);
    expect(outcome).toBe('settled');
  });

  it('keeps retrying while the device is missing at start, and stops when closed', async () => {
    const cable = newCable();
    cable.failNextOpens(cable.pathA, 1000);
    const events: SerialLinkEvent[] = [];
    const link = new SerialLink({
      path: cable.pathA, clock: systemClock, random: new SeededRandom(3), openPort: cable.openPort,
      initialReconnectDelayMs: 5, maxReconnectDelayMs: 20, onEvent: (e) => events.push(e),
    });
    await waitFor(() => events.length >= 4);
    expect(events.every((e) => e.type === 'open-failed')).toBe(true);
    for (const e of events.slice(3)) if (e.type === 'open-failed') expect(e.retryInMs).toBeLessThanOrEqual(20);
    await link.close();
    const seen = events.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(events.length).toBe(seen);
    await expect(link.send(utf8('x'))).rejects.toBeInstanceOf(LinkClosedError);
  });

  it('closes the port and stops delivering when closed mid-stream', async () => {
    const { cable, a, b } = track(await connectedPair());
    let calls = 0;
    b.onFrame(() => {
      calls++;
      void b.close();
    });
    await a.send(utf8('one'));
    await a.send(utf8('two'));
    await waitFor(() => calls >= 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(1);
    expect(cable.isOpen(cable.pathB)).toBe(false);
  });

  it('checks its configuration and its frames', async () => {
    const { a } = track(await connectedPair({ mtu: 16 }));
    await expect(a.send(new Uint8Array(17))).rejects.toBeInstanceOf(FrameTooLargeError);
    await expect(a.send(new Uint8Array(0))).rejects.toBeInstanceOf(RangeError);
    const base = { clock: systemClock, openPort: newCable().openPort };
    expect(() => new SerialLink({ ...base, path: '' })).toThrow(LinkConfigError);
    expect(() => new SerialLink({ ...base, path: '/dev/x', baudRate: 0 })).toThrow(LinkConfigError);
    expect(() => new SerialLink({ ...base, path: '/dev/x', mtu: 0 })).toThrow(LinkConfigError);
  });
});
