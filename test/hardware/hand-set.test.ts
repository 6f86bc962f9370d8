/**
 * A HAT with M0/M1 jumpers set by hand (hardware/e22/hand-set.ts and the
 * lora-jumpers link kind): no GPIO, the emulated E22 held in normal mode by
 * its (fake) pins left low, the driver on the real serialport stack over the
 * mock binding. The node uses the declared settings, verifies what normal
 * mode can, and says what it could not set.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { FakeGpio } from '../../hardware/gpio/fake-gpio.ts';
import { E22Emulator } from '../../hardware/e22/emulator.ts';
import { E22Ether } from '../../hardware/e22/ether.ts';
import type { HandSetReport } from '../../hardware/e22/hand-set.ts';
import { defaultConfig, E22_900T22S, type E22Config } from '../../hardware/e22/registers.ts';
import { declaredConfig, loraJumpersLinkKind, openHandSetLink } from '../../node-runtime/links/lora-jumpers/kind.ts';
import type { LoRaLink } from '../../node-runtime/links/lora/lora-link.ts';
import { openPort } from './support/emulated-hat.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function open(moduleConfig: E22Config | undefined, entry: Record<string, unknown> = {}): Promise<{ link: LoRaLink; report: HandSetReport }> {
  const config = loraJumpersLinkKind.parse({ type: 'lora-jumpers', ...entry }, 'links[0]');
  const path = `/dev/e22-hand-${randomUUID()}`;
  let report: HandSetReport | undefined;
  const link = await openHandSetLink(config, declaredConfig(config), {
    clock: systemClock, driver: { commandTimeoutMs: 150 },
    openPort: async (p, baud) => {
      const port = await openPort(p, baud);
      if (moduleConfig) {
        // The jumpers hold M0 = M1 = 0: nobody drives the fake pins, which start low.
        const emulator = new E22Emulator({ name: p, gpio: new FakeGpio(), ether: new E22Ether({ clock: systemClock }), clock: systemClock, config: moduleConfig });
        emulator.attach(port.port!);
        cleanups.push(() => emulator.destroy());
      }
      return port;
    },
    portPath: path,
  }, (r) => { report = r; });
  cleanups.push(() => link.close());
  return { link, report: report! };
}

const configured: E22Config = { ...defaultConfig(E22_900T22S), address: 0xffff, channel: 18, packetSizeBytes: 240, rssiByte: true, ambientNoiseRssi: true, txPowerDbm: 10 };

describe('HAT with M0/M1 jumpers (no GPIO)', () => {
  it('verifies the module answers in normal mode and lists what it took as declared', async () => {
    const { link, report } = await open(configured);
    expect(report.problems).toEqual([]);
    expect(report.verified[0]).toContain('answers at 9600 baud');
    expect(report.notSet.join('\n')).toContain('channel 18 (as declared');
    expect(link.mtu).toBe(239);
  });

  it('says what to check when the module is silent, and still opens the link as declared', async () => {
    const { report } = await open(undefined);
    expect(report.verified).toEqual([]);
    expect(report.problems.join('\n')).toMatch(/did not answer the signal read.*M0\/M1 jumpers both low/);
  });

  it('says nothing could be verified when ambient noise is declared off', async () => {
    const { report } = await open(configured, { ambientNoiseRssi: false });
    expect(report.problems.join('\n')).toContain('nothing verified');
  });

  it('refuses a bad declared field with the field named', () => {
    expect(() => loraJumpersLinkKind.parse({ type: 'lora-jumpers', rssiByte: 'yes' }, 'links[1]')).toThrow('config: links[1].rssiByte must be true or false');
  });
});
