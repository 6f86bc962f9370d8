import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { E22Ether } from '../../hardware/e22/ether.ts';
import { defaultConfig, E22_900T22S, type E22Config } from '../../hardware/e22/registers.ts';
import { emulatedHat, type EmulatedHat } from './support/emulated-hat.ts';

const hats: EmulatedHat[] = [];
async function hat(ether: E22Ether, config: E22Config): Promise<EmulatedHat & { received: number[][] }> {
  const h = await emulatedHat({ ether, emulator: { config } });
  hats.push(h);
  const received: number[][] = [];
  h.driver.onData((chunk) => received.push([...chunk]));
  return { ...h, received };
}
afterEach(async () => {
  for (const h of hats.splice(0)) {
    await h.driver.close();
    h.emulator.destroy();
  }
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const base: E22Config = { ...defaultConfig(E22_900T22S), airRateBps: 62500 };

describe('E22 emulator radio behaviour', () => {
  it('fixed-point mode: the first 3 bytes pick target address and channel and are stripped (datasheet 5.x)', async () => {
    const ether = new E22Ether({ clock: systemClock });
    const sender = await hat(ether, { ...base, fixedPoint: true, channel: 0x12 });
    const target = await hat(ether, { ...base, address: 0x0005, channel: 0x20 });
    const other = await hat(ether, { ...base, address: 0x0006, channel: 0x20 });
    const listener = await hat(ether, { ...base, address: 0xffff, channel: 0x20 });
    await sender.driver.writeData(Uint8Array.of(0x00, 0x05, 0x20, 0xaa, 0xbb));
    await sleep(60);
    expect(target.received.flat()).toEqual([0xaa, 0xbb]);
    expect(other.received).toEqual([]);
    // 0xFFFF listens to every address on its channel.
    expect(listener.received.flat()).toEqual([0xaa, 0xbb]);
    expect(ether.log[0]!.packet).toMatchObject({ channel: 0x20, targetAddress: 0x0005 });
  });

  it('transparent mode filters on address unless either side is 0xFFFF', async () => {
    const ether = new E22Ether({ clock: systemClock });
    const a = await hat(ether, { ...base, address: 0x0001 });
    const same = await hat(ether, { ...base, address: 0x0001 });
    const different = await hat(ether, { ...base, address: 0x0002 });
    const all = await hat(ether, { ...base, address: 0xffff });
    await a.driver.writeData(Uint8Array.of(1, 2, 3));
    await sleep(60);
    expect(same.received.flat()).toEqual([1, 2, 3]);
    expect(different.received).toEqual([]);
    expect(all.received.flat()).toEqual([1, 2, 3]);
  });

  it('is half duplex: a packet arriving while the module transmits is lost and counted', async () => {
    const ether = new E22Ether({ clock: systemClock });
    const slow = { ...base, airRateBps: 9600 as const };
    const a = await hat(ether, slow);
    const b = await hat(ether, slow);
    // a sends a full packet (218 ms on air at 9.6k); b answers at once with a short one (about 30 ms).
    await a.driver.writeData(new Uint8Array(240).fill(7));
    await sleep(10);
    await b.driver.writeData(Uint8Array.of(9));
    await sleep(400);
    expect(a.emulator.stats().packetsMissedWhileSending).toBe(1);
    expect(a.received).toEqual([]);
    expect(b.received.flat().length).toBe(240);
  });

  it('cuts long writes into sub-packets (REG1: 32 bytes) with the RSSI byte after each', async () => {
    const ether = new E22Ether({ clock: systemClock, rssiDbm: () => -90 });
    const config = { ...base, packetSizeBytes: 32 as const, rssiByte: true };
    const a = await hat(ether, config);
    const b = await hat(ether, config);
    const data = new Uint8Array(70).map((_, i) => i);
    await a.driver.writeData(data);
    await sleep(80);
    expect(ether.log.map((p) => p.packet.payload.length)).toEqual([32, 32, 6]);
    const rssi = 256 - 90;
    expect(toHex(Uint8Array.from(b.received.flat()))).toBe(toHex(Uint8Array.of(
      ...data.subarray(0, 32), rssi, ...data.subarray(32, 64), rssi, ...data.subarray(64), rssi,
    )));
  });

  it('sleep mode is deaf and mute; configuration mode has the radio off', async () => {
    const ether = new E22Ether({ clock: systemClock });
    const a = await hat(ether, base);
    const b = await hat(ether, base);
    await b.driver.setMode('sleep');
    await a.driver.writeData(Uint8Array.of(1));
    await sleep(40);
    expect(b.emulator.stats().packetsReceived).toBe(0);
    await b.driver.setMode('config');
    await a.driver.writeData(Uint8Array.of(2));
    await sleep(40);
    expect(b.emulator.stats().packetsReceived).toBe(0);
    await b.driver.setMode('normal');
    await a.driver.writeData(Uint8Array.of(3));
    await sleep(40);
    expect(b.received.flat()).toEqual([3]);
  });
});
