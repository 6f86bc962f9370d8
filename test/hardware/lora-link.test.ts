import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../seams/clock.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { FrameTooLargeError, LinkClosedError, type ReceivedFrame } from '../../seams/link.ts';
import { timeOnAirMs, E22_AIR_2K4 } from '../../protocol/mesh/airtime.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { E22Ether } from '../../hardware/e22/ether.ts';
import { LoRaLink } from '../../node-runtime/links/lora/lora-link.ts';
import { defaultConfig, E22_900T22S, type E22Config } from '../../hardware/e22/registers.ts';
import { describeLinkContract } from '../seams/link.contract.ts';
import { emulatedHat, scaledClock, type EmulatedHat } from './support/emulated-hat.ts';

const fast: E22Config = { ...defaultConfig(E22_900T22S), airRateBps: 62500, rssiByte: true, address: 0xffff };

interface Node { hat: EmulatedHat; link: LoRaLink; inbox: ReceivedFrame[] }

async function node(ether: E22Ether, config: E22Config, clock: Clock = systemClock, id?: string, guardMs?: number): Promise<Node> {
  const hat = await emulatedHat({ ether, clock, emulator: { config } });
  const read = await hat.driver.readConfig();
  const link = new LoRaLink({ driver: hat.driver, config: read, clock, ...(id ? { id } : {}), ...(guardMs === undefined ? {} : { guardMs }) });
  const inbox: ReceivedFrame[] = [];
  link.onFrame((f) => inbox.push({ ...f, bytes: Uint8Array.from(f.bytes) }));
  return { hat, link, inbox };
}

const nodes: Node[] = [];
async function pair(config: E22Config = fast, clock: Clock = systemClock, guardMs?: number): Promise<[Node, Node, E22Ether]> {
  const ether = new E22Ether({ clock, rssiDbm: () => -87 });
  const a = await node(ether, config, clock, 'lora-a', guardMs);
  const b = await node(ether, config, clock, 'lora-b', guardMs);
  nodes.push(a, b);
  return [a, b, ether];
}

afterEach(async () => {
  for (const n of nodes.splice(0)) {
    await n.link.close();
    n.hat.emulator.destroy();
  }
});

const until = async (predicate: () => boolean, timeoutMs = 3000): Promise<void> => {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describeLinkContract('LoRa HAT (two emulated E22 modules over binding-mock)', async () => {
  const ether = new E22Ether({ clock: systemClock });
  const made: EmulatedHat[] = [];
  const make = async (id: string): Promise<LoRaLink> => {
    const hat = await emulatedHat({ ether, emulator: { config: fast } });
    made.push(hat);
    return new LoRaLink({ driver: hat.driver, config: await hat.driver.readConfig(), clock: systemClock, id });
  };
  const a = await make('lora-a');
  const b = await make('lora-b');
  return {
    a, b,
    cleanup: async () => {
      await a.close();
      await b.close();
      for (const h of made) h.emulator.destroy();
    },
  };
});

describe('LoRa link over emulated E22 modules', () => {
  it('describes itself from the module config: kind lora, mtu 239, Semtech airtime of frame + length byte', async () => {
    const [a] = await pair({ ...defaultConfig(E22_900T22S) });
    expect(a.link.kind).toBe('lora');
    expect(a.link.mtu).toBe(239);
    expect(a.link.airtimeMs(10)).toBeCloseTo(timeOnAirMs(E22_AIR_2K4, 11), 9);
    // SF9 / 125 kHz, 11 bytes: Tsym 4.096 ms; (8 + 4.25 + 8 + ceil((88 - 36 + 28 + 16) / 36) x 5) x 4.096 = 35.25 x 4.096 = 144.384 ms
    expect(a.link.airtimeMs(10)).toBeCloseTo(144.384, 3);
    const [small] = await pair({ ...fast, packetSizeBytes: 64 });
    expect(small.link.mtu).toBe(63);
  });

  it('carries frames with the RSSI byte as rssiDbm, one LoRa packet per frame, [length][frame] on air', async () => {
    const [a, b, ether] = await pair();
    const frames = [Uint8Array.of(1), new Uint8Array(239).fill(0xc0), Uint8Array.of(0, 255, 0)];
    for (const f of frames) await a.link.send(f);
    await until(() => b.inbox.length === 3);
    expect(b.inbox.map((f) => toHex(f.bytes))).toEqual(frames.map((f) => toHex(f)));
    expect(b.inbox.every((f) => f.rssiDbm === -87)).toBe(true);
    expect(ether.log.map((p) => p.packet.payload.length)).toEqual([2, 240, 4]);
    expect(toHex(ether.log[0]!.packet.payload)).toBe('0101');
    expect(a.inbox).toHaveLength(0);
  });

  it('paces a burst so the module never merges two frames into one packet', async () => {
    const [a, b, ether] = await pair();
    const frames = Array.from({ length: 12 }, (_, i) => new Uint8Array(30 + i).fill(i));
    await Promise.all(frames.map((f) => a.link.send(f)));
    await until(() => b.inbox.length === frames.length);
    expect(ether.log).toHaveLength(frames.length);
    expect(b.inbox.map((f) => f.bytes.length)).toEqual(frames.map((f) => f.length));
  });

  it('without pacing the module would merge them: the emulator does, as the datasheet says', async () => {
    const [a, b, ether] = await pair();
    // Two packets written back to back on the raw driver, no pause: one LoRa packet.
    await a.hat.driver.writeData(Uint8Array.of(2, 0xaa, 0xbb, 1, 0xcc));
    await until(() => ether.log.length === 1);
    await until(() => b.inbox.length >= 1);
    expect(toHex(ether.log[0]!.packet.payload)).toBe('02aabb01cc');
    // With the RSSI byte after the merged packet, the second frame's length byte is taken as RSSI:
    // the deframer keeps the first frame and skips the rest, it never invents a merged frame.
    expect(toHex(b.inbox[0]!.bytes)).toBe('aabb');
    for (const f of b.inbox) expect(['aabb', 'cc']).toContain(toHex(f.bytes));
  });

  it('ignores garbage on the UART and keeps working', async () => {
    const [a, b] = await pair();
    const binding = b.hat.port.port!;
    binding.emitData(Buffer.from([0xf5, 1, 2, 3, 4])); // impossible length: burst skipped
    await new Promise((r) => setTimeout(r, 90)); // past the 50 ms idle gap
    binding.emitData(Buffer.from([9, 1, 2])); // a packet that ends early: dropped at idle
    await new Promise((r) => setTimeout(r, 90));
    await a.link.send(Uint8Array.of(7, 7, 7));
    await until(() => b.inbox.length === 1);
    expect(toHex(b.inbox[0]!.bytes)).toBe('070707');
    expect(b.link.stats()).toMatchObject({ framesReceived: 1, framesDropped: 2 });
    expect(b.link.deframerStats()).toMatchObject({ skippedBursts: 1, partialFrames: 1 });
  });

  it('reassembles frames that reach the host in UART-sized chunks at 9600 baud, back to back', async () => {
    const ether = new E22Ether({ clock: systemClock });
    const a = await node(ether, fast);
    const hat = await emulatedHat({ ether, emulator: { config: fast, uartChunkBytes: 16 } });
    const b = { hat, link: new LoRaLink({ driver: hat.driver, config: await hat.driver.readConfig(), clock: systemClock }), inbox: [] as ReceivedFrame[] };
    b.link.onFrame((f) => b.inbox.push({ ...f, bytes: Uint8Array.from(f.bytes) }));
    nodes.push(a, b);
    // 62.5 kbps on air, 9600 baud on the UART: packets arrive faster than the UART drains them,
    // so the host sees one continuous stream of 16-byte chunks 16.7 ms apart.
    const frames = [new Uint8Array(200).fill(1), new Uint8Array(120).fill(2), Uint8Array.of(3)];
    for (const f of frames) await a.link.send(f);
    await until(() => b.inbox.length === 3, 5000);
    expect(b.inbox.map((f) => toHex(f.bytes))).toEqual(frames.map((f) => toHex(f)));
    expect(b.link.stats().framesDropped).toBe(0);
  });

  it('does not hear modules on another channel or net id', async () => {
    const ether = new E22Ether({ clock: systemClock });
    const a = await node(ether, fast);
    const b = await node(ether, { ...fast, channel: 5 });
    const c = await node(ether, { ...fast, netId: 9 });
    const d = await node(ether, fast);
    nodes.push(a, b, c, d);
    await a.link.send(Uint8Array.of(1, 2, 3));
    await until(() => d.inbox.length === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(b.inbox).toHaveLength(0);
    expect(c.inbox).toHaveLength(0);
  });

  it('runs at the default 2.4 kbps on a 100x faster clock', async () => {
    const clock = scaledClock(0.01);
    // Timers fire with ~1 ms real jitter, i.e. 100 ms of this clock: the guard covers it.
    const [a, b] = await pair({ ...defaultConfig(E22_900T22S), rssiByte: true }, clock, 300);
    const frame = new Uint8Array(200).map((_, i) => i);
    await a.link.send(frame);
    await a.link.send(Uint8Array.of(42));
    await until(() => b.inbox.length === 2);
    expect(toHex(b.inbox[0]!.bytes)).toBe(toHex(frame));
    expect(b.inbox[1]!.bytes).toEqual(Uint8Array.of(42));
  });

  it('refuses oversized frames, fixed-point mode and use after close', async () => {
    const [a] = await pair();
    await expect(a.link.send(new Uint8Array(240))).rejects.toBeInstanceOf(FrameTooLargeError);
    await expect(a.link.send(new Uint8Array(0))).rejects.toBeInstanceOf(RangeError);
    expect(() => new LoRaLink({ driver: a.hat.driver, config: { ...fast, fixedPoint: true }, clock: systemClock }))
      .toThrow(expect.objectContaining({ code: 'bad-config' }));
    await a.link.close();
    await expect(a.link.send(Uint8Array.of(1))).rejects.toBeInstanceOf(LinkClosedError);
    // Closing the link released the pins and the UART.
    expect(a.hat.port.isOpen).toBe(false);
    expect(a.hat.gpio.isOpen(22)).toBe(false);
  });
});
