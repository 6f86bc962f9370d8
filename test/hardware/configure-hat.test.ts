import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { E22Ether } from '../../hardware/e22/ether.ts';
import { E22Emulator } from '../../hardware/e22/emulator.ts';
import { openE22Hat } from '../../hardware/e22/open-hat.ts';
import { openLoRaHatLink } from '../../node-runtime/links/lora/open-lora-hat.ts';
import { defaultConfig, E22_900T22S } from '../../hardware/e22/registers.ts';
import { FakeGpio } from '../../hardware/gpio/fake-gpio.ts';
import { runConfigureHat } from '../../scripts/pi/configure-hat.ts';
import { openPort } from './support/emulated-hat.ts';
import type { SerialPortMock } from 'serialport';
import type { LoRaHatEntry } from '../../node-runtime/links/lora/open-lora-hat.ts';

const emulators: E22Emulator[] = [];
afterEach(() => {
  for (const e of emulators.splice(0)) e.destroy();
});

/** One emulated HAT behind the production opener (openE22Hat), as the CLI sees it. */
function rig(productInfo?: Uint8Array) {
  const ether = new E22Ether({ clock: systemClock });
  const gpio = new FakeGpio();
  const emulator = new E22Emulator({ name: 'hat', gpio, ether, clock: systemClock, modeSwitchMs: 1, ...(productInfo ? { productInfo } : {}) });
  emulators.push(emulator);
  const out: string[] = [];
  const err: string[] = [];
  let opened: SerialPortMock | undefined;
  const io = {
    open: (o: Omit<Parameters<typeof openE22Hat>[0], 'clock'>) => openE22Hat({
      ...o, gpio, clock: systemClock, driver: { modeSettleMs: 5 },
      openPort: async (path, baud) => {
        opened = await openPort(`${path}-${Math.random()}`, baud);
        emulator.attach(opened.port!);
        return opened;
      },
    }),
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
  };
  return { emulator, gpio, io, out, err, port: () => opened };
}

describe('configure-hat CLI (over the driver and the emulator)', () => {
  it('show prints the decoded registers, and JSON with --json', async () => {
    const r = rig();
    expect(await runConfigureHat(['show'], r.io)).toBe(0);
    expect(r.out).toContain('channel          18 = 868.125 MHz');
    expect(r.out).toContain('air rate         2400 bit/s');
    r.out.length = 0;
    expect(await runConfigureHat(['--json', 'show'], r.io)).toBe(0);
    expect(JSON.parse(r.out[0]!)).toMatchObject({ model: 'E22-900T22S', frequencyKhz: 868125, channel: 18, txPowerDbm: 22 });
    expect(r.port()?.isOpen).toBe(false);
  });

  it('set writes what it is told, by channel or by frequency, saved or temporary', async () => {
    const r = rig();
    expect(await runConfigureHat(['set', '--frequency', '869.125', '--power', '10', '--air-rate', '9600', '--net-id', '7', '--address', '0xffff'], r.io)).toBe(0);
    expect(r.emulator.savedConfig).toMatchObject({ channel: 19, txPowerDbm: 10, airRateBps: 9600, netId: 7, address: 0xffff });
    expect(await runConfigureHat(['set', '--channel', '3', '--temporary'], r.io)).toBe(0);
    expect(r.emulator.activeConfig.channel).toBe(3);
    expect(r.emulator.savedConfig.channel).toBe(19);
    expect(r.out.some((l) => l.includes('until power-off'))).toBe(true);
  });

  it('refuses settings outside the region unless forced', async () => {
    const r = rig();
    expect(await runConfigureHat(['--region', 'eu868', 'set', '--power', '22'], r.io)).toBe(3);
    expect(r.err.join('\n')).toContain('over EU868');
    expect(r.emulator.savedConfig.txPowerDbm).toBe(22); // untouched factory value, nothing written
    expect(await runConfigureHat(['--region', 'EU868', 'set', '--power', '13'], r.io)).toBe(0);
    expect(r.emulator.savedConfig.txPowerDbm).toBe(13);
    expect(await runConfigureHat(['--region', 'EU868', 'set', '--channel', '40', '--force'], r.io)).toBe(0);
    expect(r.emulator.savedConfig.channel).toBe(40);
  });

  it('mesh applies the link settings; info and noise read the module', async () => {
    const r = rig(Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 1, 2, 3));
    expect(await runConfigureHat(['mesh', '--power', '13'], r.io)).toBe(0);
    expect(r.emulator.savedConfig).toMatchObject({ rssiByte: true, ambientNoiseRssi: true, address: 0xffff, fixedPoint: false, txPowerDbm: 13 });
    r.out.length = 0;
    expect(await runConfigureHat(['info'], r.io)).toBe(0);
    expect(r.out).toEqual(['deadbeef010203']);
    r.out.length = 0;
    expect(await runConfigureHat(['noise'], r.io)).toBe(0);
    expect(r.out[0]).toBe('ambient noise -110 dBm, last packet -256 dBm');
  });

  it('reports usage errors with exit code 2 and module errors with 1', async () => {
    const r = rig();
    expect(await runConfigureHat(['set', '--power', '20'], r.io)).toBe(2);
    expect(await runConfigureHat(['set', '--frequency', '868.5'], r.io)).toBe(2);
    expect(await runConfigureHat(['--model', 'e99', 'show'], r.io)).toBe(2);
    expect(await runConfigureHat(['frobnicate'], r.io)).toBe(2);
    expect(await runConfigureHat(['--bogus'], r.io)).toBe(2);
    expect(await runConfigureHat(['noise'], r.io)).toBe(1); // noise RSSI is off at the factory: no reply
    expect(r.err.at(-1)).toContain('command-timeout');
  });
});

describe('openLoRaHatLink', () => {
  it('reads the module, writes the mesh settings once, and returns a working link', async () => {
    const ether = new E22Ether({ clock: systemClock });
    const make = async (name: string) => {
      const gpio = new FakeGpio();
      const emulator = new E22Emulator({ name, gpio, ether, clock: systemClock, modeSwitchMs: 1, config: { ...defaultConfig(E22_900T22S), airRateBps: 62500 } });
      emulators.push(emulator);
      const link = await openLoRaHatLink({
        gpio, clock: systemClock, driver: { modeSettleMs: 5 }, id: name,
        openPort: async (path, baud) => {
          const port = await openPort(`${path}-${name}-${Math.random()}`, baud);
          emulator.attach(port.port!);
          return port;
        },
      });
      return { emulator, link };
    };
    const a = await make('a');
    const b = await make('b');
    expect(a.emulator.savedConfig).toMatchObject({ rssiByte: true, address: 0xffff });
    const got: Uint8Array[] = [];
    b.link.onFrame((f) => got.push(f.bytes));
    await a.link.send(Uint8Array.of(1, 2, 3));
    const start = Date.now();
    while (got.length === 0 && Date.now() - start < 2000) await new Promise((r) => setTimeout(r, 5));
    expect(got).toEqual([Uint8Array.of(1, 2, 3)]);
    await a.link.close();
    await b.link.close();
  });

  it('without mode pins needs an assumed config, and refuses to guess', async () => {
    const port = await openPort('/dev/e22-nopins');
    const noGpio = { accessible: false, output: () => Promise.reject(new Error('x')), input: () => Promise.reject(new Error('x')) };
    await expect(openLoRaHatLink({ gpio: noGpio, clock: systemClock, openPort: async () => port })).rejects.toMatchObject({ code: 'mode-pins-unavailable' });
    const port2 = await openPort('/dev/e22-nopins-2');
    const link = await openLoRaHatLink({ gpio: noGpio, clock: systemClock, openPort: async () => port2, assumedConfig: { ...defaultConfig(E22_900T22S), rssiByte: true } });
    expect(link.mtu).toBe(239);
    await link.close();
  });
});

describe('openLoRaHat (the daemon entry point)', () => {
  it('configures channel, air rate and net id from the config entry and reports frequency and bandwidth', async () => {
    const { openLoRaHat } = await import('../../node-runtime/links/lora/open-lora-hat.ts');
    const gpio = new FakeGpio();
    const emulator = new E22Emulator({ name: 'daemon', gpio, ether: new E22Ether({ clock: systemClock }), clock: systemClock, modeSwitchMs: 1 });
    emulators.push(emulator);
    const events: string[] = [];
    const { link, frequencyHz, bandwidthHz } = await openLoRaHat(
      { path: '/dev/serial0', m0Pin: 22, m1Pin: 27, channel: 19, airRateBps: 9600, netId: 4 },
      {
        clock: systemClock, log: { info: (e) => events.push(e) },
        open: { gpio, driver: { modeSettleMs: 5 }, openPort: async (path, baud) => { const p = await openPort(`${path}-${Math.random()}`, baud); emulator.attach(p.port!); return p; } },
      },
    );
    expect(frequencyHz).toBe(869_125_000);
    expect(bandwidthHz).toBe(125_000);
    expect(emulator.savedConfig).toMatchObject({ channel: 19, airRateBps: 9600, netId: 4, rssiByte: true, address: 0xffff });
    expect(link.kind).toBe('lora');
    expect(events).toEqual(['lora-hat']);
    await link.close();
    await expect(openLoRaHat({ path: 'x', m0Pin: 22, m1Pin: 27, channel: 0, airRateBps: 1000, netId: 0 }, { clock: systemClock }))
      .rejects.toMatchObject({ code: 'bad-config' });
  });
});

describe('openLoRaHat and the region', () => {
  async function open(entry: Partial<LoRaHatEntry>, region?: string) {
    const { openLoRaHat } = await import('../../node-runtime/links/lora/open-lora-hat.ts');
    const gpio = new FakeGpio();
    const emulator = new E22Emulator({ name: 'r', gpio, ether: new E22Ether({ clock: systemClock }), clock: systemClock, modeSwitchMs: 1 });
    emulators.push(emulator);
    const opened = await openLoRaHat(
      { path: '/dev/serial0', m0Pin: 22, m1Pin: 27, channel: 18, airRateBps: 2400, netId: 0, ...entry },
      {
        clock: systemClock, ...(region ? { region } : {}),
        open: { gpio, driver: { modeSettleMs: 5 }, openPort: async (path, baud) => { const p = await openPort(`${path}-${Math.random()}`, baud); emulator.attach(p.port!); return p; } },
      },
    );
    await opened.link.close();
    return emulator.savedConfig;
  }

  it('lowers the factory 22 dBm to what EU868 allows, keeps a lawful configured power, refuses the rest', async () => {
    expect((await open({}, 'EU868')).txPowerDbm).toBe(13);
    expect((await open({ txPowerDbm: 10 }, 'EU868')).txPowerDbm).toBe(10);
    expect((await open({}, 'none')).txPowerDbm).toBe(22);
    await expect(open({ txPowerDbm: 17 }, 'EU868')).rejects.toMatchObject({ code: 'bad-config' });
    await expect(open({ channel: 40 }, 'EU868')).rejects.toMatchObject({ code: 'bad-config' });
  });
});
