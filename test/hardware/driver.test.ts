import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { E22Driver } from '../../hardware/e22/driver.ts';
import { E22Ether } from '../../hardware/e22/ether.ts';
import { E22Error } from '../../hardware/e22/errors.ts';
import { FakeGpio } from '../../hardware/gpio/fake-gpio.ts';
import { defaultConfig, E22_400T22S, E22_900T22S } from '../../hardware/e22/registers.ts';
import { emulatedHat, openPort, type EmulatedHat } from './support/emulated-hat.ts';

const hats: EmulatedHat[] = [];
async function hat(options: Parameters<typeof emulatedHat>[0]): Promise<EmulatedHat> {
  const h = await emulatedHat(options);
  hats.push(h);
  return h;
}

afterEach(async () => {
  for (const h of hats.splice(0)) {
    await h.driver.close().catch(() => undefined);
    h.emulator.destroy();
  }
});

function recording(h: EmulatedHat): string {
  return toHex(new Uint8Array(h.port.port!.recording));
}

describe('E22 driver against the emulator (serialport + binding-mock)', () => {
  it('opens in normal mode with M0 = M1 = 0 on BCM 22 / 27', async () => {
    const h = await hat({ ether: new E22Ether({ clock: systemClock }) });
    expect(h.driver.mode).toBe('normal');
    expect(h.gpio.writes.slice(0, 2)).toEqual([{ bcm: 22, level: 0 }, { bcm: 27, level: 0 }]);
    expect(h.emulator.mode).toBe('normal');
  });

  it('switches modes with the datasheet pin levels', async () => {
    const h = await hat({ ether: new E22Ether({ clock: systemClock }) });
    for (const [mode, m0, m1] of [['config', 0, 1], ['wor', 1, 0], ['sleep', 1, 1], ['normal', 0, 0]] as const) {
      await h.driver.setMode(mode);
      expect([h.gpio.level(22), h.gpio.level(27)], mode).toEqual([m0, m1]);
      expect(h.emulator.mode).toBe(mode);
      expect(h.port.baudRate).toBe(9600);
    }
  });

  it('reads the factory configuration with C1 00 07 at 9600 baud in mode 2', async () => {
    const h = await hat({ ether: new E22Ether({ clock: systemClock }) });
    const config = await h.driver.readConfig();
    expect(config).toEqual(defaultConfig(E22_900T22S));
    expect(recording(h)).toBe('c10007');
    expect(h.driver.mode).toBe('normal');
    expect([h.gpio.level(22), h.gpio.level(27)]).toEqual([0, 0]);
  });

  it('writes and saves with C0, then follows the new UART baud in normal mode', async () => {
    const h = await hat({ ether: new E22Ether({ clock: systemClock }) });
    const wanted = { ...defaultConfig(E22_900T22S), address: 0x1234, channel: 0x11, uartBaud: 115200 as const, airRateBps: 1200 as const, rssiByte: true };
    const echoed = await h.driver.writeConfig(wanted);
    expect(echoed).toEqual(wanted);
    expect(recording(h).startsWith('c00007123400e1001183')).toBe(true);
    expect(h.port.baudRate).toBe(115200);
    expect(h.emulator.savedConfig).toEqual(wanted);
    h.emulator.powerCycle();
    expect(h.emulator.activeConfig).toEqual(wanted);
    // Reading again goes through 9600 and comes back to 115200.
    expect(await h.driver.readConfig()).toEqual(wanted);
    expect(h.port.baudRate).toBe(115200);
  });

  it('writes temporarily with C2: lost at power-off, the saved block untouched', async () => {
    const h = await hat({ ether: new E22Ether({ clock: systemClock }) });
    await h.driver.writeConfig({ ...defaultConfig(E22_900T22S), channel: 3 }, { temporary: true });
    expect(recording(h).startsWith('c2000700000062000303')).toBe(true);
    expect(h.emulator.activeConfig.channel).toBe(3);
    expect(h.emulator.savedConfig.channel).toBe(0x12);
    h.emulator.powerCycle();
    expect((await h.driver.readConfig()).channel).toBe(0x12);
  });

  it('writes the crypt key (write-only: it reads back as nothing)', async () => {
    const h = await hat({ ether: new E22Ether({ clock: systemClock }) });
    await h.driver.writeConfig({ ...defaultConfig(E22_900T22S), cryptKey: 0x5a5a });
    expect(recording(h).startsWith('c00009000000620012035a5a')).toBe(true);
    expect(h.emulator.storedCryptKey).toBe(0x5a5a);
    const back = await h.driver.readConfig();
    expect('cryptKey' in back).toBe(false);
    expect(await h.driver.command({ kind: 'read', address: 7, length: 2, data: new Uint8Array(0) })).toEqual(Uint8Array.of(0, 0));
  });

  it('reads the product information (80H-86H)', async () => {
    const info = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);
    const h = await hat({ ether: new E22Ether({ clock: systemClock }), emulator: { productInfo: info } });
    expect(await h.driver.readProductInfo()).toEqual(info);
  });

  it('turns FF FF FF into E22Error command-refused (channel beyond the 400 MHz band)', async () => {
    const h = await hat({ ether: new E22Ether({ clock: systemClock }), emulator: { variant: E22_400T22S }, driver: { variant: E22_900T22S } });
    // The driver thinks it is a 900 module (channel 80 is fine there); the 400 module has 84 channels, so 80 passes...
    await h.driver.command({ kind: 'write', address: 5, length: 1, data: Uint8Array.of(80) });
    // ...but a raw write of channel 90 is beyond both: the module refuses.
    const error = await h.driver.command({ kind: 'write', address: 5, length: 1, data: Uint8Array.of(90) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(E22Error);
    expect((error as E22Error).code).toBe('command-refused');
    expect(h.emulator.stats().commandsRefused).toBe(1);
    expect(h.driver.mode).toBe('normal');
  });

  it('times out when the module does not answer (host at the wrong baud in mode 2)', async () => {
    const h = await hat({ ether: new E22Ether({ clock: systemClock }), driver: { commandTimeoutMs: 80 } });
    // Sabotage: the host port keeps 115200 in configuration mode, the module listens at 9600 only.
    await new Promise<void>((resolve) => h.port.update({ baudRate: 115200 }, () => resolve()));
    h.port.update = ((_options: unknown, cb: (e: Error | null) => void) => cb(null)) as typeof h.port.update;
    const started = Date.now();
    const error = await h.driver.readConfig().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'E22Error', code: 'command-timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(h.emulator.stats().bytesLost).toBe(3);
    expect(h.driver.mode).toBe('normal');
  });

  it('reports a reply that is not one as bad-reply, and a wrong echo too', async () => {
    const h = await hat({ ether: new E22Ether({ clock: systemClock }) });
    h.emulator.detach();
    const binding = h.port.port!;
    const write = binding.write.bind(binding);
    binding.write = async (b: Buffer) => {
      await write(b);
      binding.emitData(Buffer.from([0x42, 0x00]));
    };
    await expect(h.driver.readConfig()).rejects.toMatchObject({ code: 'bad-reply' });
    binding.write = async (b: Buffer) => {
      await write(b);
      binding.emitData(Buffer.from([0xc1, 0x05, 0x01, 0x12]));
    };
    await expect(h.driver.readConfig()).rejects.toMatchObject({ code: 'bad-reply' });
  });

  it('waits for AUX when it is wired, and fails if AUX stays low', async () => {
    const pins = { m0Bcm: 22, m1Bcm: 27, auxBcm: 4 };
    const h = await hat({ ether: new E22Ether({ clock: systemClock }), emulator: { pins, modeSwitchMs: 30 }, driver: { pins, modeSettleMs: 0 } });
    const started = Date.now();
    await h.driver.setMode('config');
    expect(Date.now() - started).toBeGreaterThanOrEqual(28);
    expect(h.emulator.mode).toBe('config');
    expect(h.gpio.level(4)).toBe(1);
    expect((await h.driver.readConfig()).channel).toBe(0x12);
    // A module that never raises AUX again.
    h.emulator.destroy();
    h.gpio.drive(4, 0);
    const slow = await E22Driver.open({ port: await openPort('/dev/e22-aux-stuck'), gpio: (() => { const g = new FakeGpio(); g.drive(4, 0); return g; })(), clock: systemClock, pins, auxTimeoutMs: 30 })
      .catch((e: unknown) => e);
    expect(slow).toMatchObject({ code: 'aux-timeout' });
  });

  it('without GPIO it stays in normal mode and says why it cannot configure', async () => {
    const port = await openPort('/dev/e22-no-gpio');
    const driver = await E22Driver.open({ port, clock: systemClock });
    expect(driver.canSwitchModes).toBe(false);
    await expect(driver.readConfig()).rejects.toMatchObject({ code: 'mode-pins-unavailable' });
    await driver.close();
    await driver.close();
    await expect(driver.setMode('config')).rejects.toMatchObject({ code: 'closed' });
  });

  it('reads ambient noise and last RSSI in normal mode (C0 C1 C2 C3 00 02)', async () => {
    const ether = new E22Ether({ clock: systemClock, rssiDbm: () => -71 });
    const config = { ...defaultConfig(E22_900T22S), ambientNoiseRssi: true, airRateBps: 62500 as const };
    const a = await hat({ ether, emulator: { config, noiseDbm: -104 } });
    const b = await hat({ ether, emulator: { config } });
    await b.driver.writeData(Uint8Array.of(1, 2, 3));
    await new Promise((r) => setTimeout(r, 60));
    const signal = await a.driver.readSignal();
    expect(signal).toEqual({ noiseDbm: -104, lastPacketRssiDbm: -71 });
    await a.driver.setMode('config');
    await expect(a.driver.readSignal()).rejects.toMatchObject({ code: 'wrong-mode' });
    await expect(a.driver.writeData(Uint8Array.of(1))).rejects.toMatchObject({ code: 'wrong-mode' });
  });

  it('refuses a parity the host side cannot follow', async () => {
    const h = await hat({ ether: new E22Ether({ clock: systemClock }) });
    await expect(h.driver.writeConfig({ ...defaultConfig(E22_900T22S), uartParity: '8E1' })).rejects.toMatchObject({ code: 'unsupported-setting' });
    expect(recording(h)).toBe('');
  });
});

describe('E22 emulator against the datasheet and Waveshare command examples', () => {
  it('answers the documented exchanges byte for byte, in order, from the factory defaults', async () => {
    const { readFileSync } = await import('node:fs');
    const { fromHex } = await import('../../protocol/codec/bytes.ts');
    const vectors = JSON.parse(readFileSync(new URL('./vectors/e22-registers.json', import.meta.url), 'utf8')) as {
      commands: Array<{ name: string; command: string; reply: string }>;
    };
    const h = await hat({ ether: new E22Ether({ clock: systemClock }) });
    await h.driver.setMode('config');
    const received: number[] = [];
    h.port.on('data', (chunk: Buffer) => received.push(...chunk));
    for (const v of vectors.commands) {
      received.length = 0;
      await new Promise<void>((resolve, reject) => h.port.write(Buffer.from(fromHex(v.command)!), (e) => (e ? reject(e) : resolve())));
      const expected = fromHex(v.reply)!;
      const start = Date.now();
      while (received.length < expected.length && Date.now() - start < 1000) await new Promise((r) => setTimeout(r, 2));
      expect(toHex(Uint8Array.from(received)), v.name).toBe(toHex(expected));
    }
  });
});
