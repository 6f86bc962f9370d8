import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeGpio } from '../../hardware/gpio/fake-gpio.ts';
import { GpioError } from '../../hardware/gpio/errors.ts';
import { createOnoffGpio } from '../../hardware/gpio/onoff-gpio.ts';
import { findHeaderChip, listGpioChips, sysfsNumberForBcm } from '../../hardware/gpio/sysfs-numbering.ts';

const roots: string[] = [];

/** Builds a fake /sys/class/gpio with the given chips (name, label, base, ngpio). */
function fakeSysfs(chips: Array<[string, string, number, number]>, extra: (root: string) => void = () => {}): string {
  const root = mkdtempSync(join(tmpdir(), 'meow-sysfs-'));
  roots.push(root);
  writeFileSync(join(root, 'export'), '');
  writeFileSync(join(root, 'unexport'), '');
  for (const [name, label, base, ngpio] of chips) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'label'), `${label}\n`);
    writeFileSync(join(root, name, 'base'), `${base}\n`);
    writeFileSync(join(root, name, 'ngpio'), `${ngpio}\n`);
  }
  extra(root);
  return root;
}

afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('BCM to sysfs numbering from gpiochip labels', () => {
  it('Pi 4 on kernel 6.6: base 512, so BCM 22 (M0) is 534 and BCM 27 (M1) is 539', () => {
    const root = fakeSysfs([['gpiochip512', 'pinctrl-bcm2711', 512, 58], ['gpiochip570', 'raspberrypi-exp-gpio', 570, 8]]);
    expect(sysfsNumberForBcm(22, { sysfsRoot: root })).toBe(534);
    expect(sysfsNumberForBcm(27, { sysfsRoot: root })).toBe(539);
  });

  it('Pi 4 on kernel 6.1: base 0 (the expander chip at 504 is ignored)', () => {
    const root = fakeSysfs([['gpiochip504', 'raspberrypi-exp-gpio', 504, 8], ['gpiochip0', 'pinctrl-bcm2711', 0, 58]]);
    expect(sysfsNumberForBcm(22, { sysfsRoot: root })).toBe(22);
  });

  it('Pi 3 / Zero 2 W on kernel 6.6: pinctrl-bcm2835 at 512', () => {
    const root = fakeSysfs([['gpiochip512', 'pinctrl-bcm2835', 512, 54]]);
    expect(sysfsNumberForBcm(27, { sysfsRoot: root })).toBe(539);
  });

  it('Pi 5: the header is on RP1 (pinctrl-rp1 at 571), not on the SoC gpio-brcmstb chips', () => {
    const root = fakeSysfs([
      ['gpiochip512', 'gpio-brcmstb@107d508500', 512, 32],
      ['gpiochip544', 'gpio-brcmstb@107d508520', 544, 4],
      ['gpiochip548', 'gpio-brcmstb@107d517c00', 548, 17],
      ['gpiochip565', 'gpio-brcmstb@107d517c20', 565, 6],
      ['gpiochip571', 'pinctrl-rp1', 571, 54],
    ]);
    expect(findHeaderChip({ sysfsRoot: root }).label).toBe('pinctrl-rp1');
    expect(sysfsNumberForBcm(22, { sysfsRoot: root })).toBe(593);
    expect(sysfsNumberForBcm(27, { sysfsRoot: root })).toBe(598);
  });

  it('lists chips sorted by base and skips malformed entries', () => {
    const root = fakeSysfs([['gpiochip600', 'other', 600, 4], ['gpiochip512', 'pinctrl-bcm2711', 512, 58]], (r) => {
      mkdirSync(join(r, 'gpiochip9')); // no files
      mkdirSync(join(r, 'gpiochip7'));
      writeFileSync(join(r, 'gpiochip7', 'label'), 'x');
      writeFileSync(join(r, 'gpiochip7', 'base'), 'nan');
      writeFileSync(join(r, 'gpiochip7', 'ngpio'), '3');
      mkdirSync(join(r, 'gpio534')); // an exported line, not a chip
    });
    expect(listGpioChips({ sysfsRoot: root }).map((c) => c.name)).toEqual(['gpiochip512', 'gpiochip600']);
  });

  it('says what it found when no header chip is there, and honours an explicit label', () => {
    const root = fakeSysfs([['gpiochip0', 'some-board-gpio', 0, 32]]);
    const error = (() => { try { sysfsNumberForBcm(22, { sysfsRoot: root }); } catch (e) { return e; } })() as GpioError;
    expect(error).toBeInstanceOf(GpioError);
    expect(error.code).toBe('no-header-chip');
    expect(error.message).toContain('gpiochip0=some-board-gpio@0');
    expect(error.message).toContain('gpio=22,27=op,dl');
    expect(sysfsNumberForBcm(22, { sysfsRoot: root, chipLabel: 'some-board-gpio' })).toBe(22);
    expect(() => sysfsNumberForBcm(22, { sysfsRoot: join(root, 'missing') })).toThrow(/no gpiochip/);
  });

  it('refuses a line beyond the chip', () => {
    const root = fakeSysfs([['gpiochip512', 'pinctrl-bcm2711', 512, 58]]);
    expect(() => sysfsNumberForBcm(58, { sysfsRoot: root })).toThrow(expect.objectContaining({ code: 'line-out-of-range' }));
    expect(() => sysfsNumberForBcm(-1, { sysfsRoot: root })).toThrow(GpioError);
  });

  it('works with an injected reader (no file system at all)', () => {
    const files: Record<string, string> = { '/s/gpiochip512/label': 'pinctrl-bcm2711', '/s/gpiochip512/base': '512', '/s/gpiochip512/ngpio': '58' };
    const reader = {
      readdir: () => ['gpiochip512'],
      readFile: (p: string) => { const f = files[p]; if (f === undefined) throw new Error('ENOENT'); return f; },
    };
    expect(sysfsNumberForBcm(22, { sysfsRoot: '/s', reader })).toBe(534);
  });
});

describe('FakeGpio', () => {
  it('drives outputs, reports levels and writes, and lets the device drive inputs', async () => {
    const gpio = new FakeGpio();
    const seen: number[] = [];
    gpio.onLevel(22, (l) => seen.push(l));
    const m0 = await gpio.output(22, 1);
    expect(gpio.level(22)).toBe(1);
    await m0.write(0);
    await m0.write(0);
    expect(seen).toEqual([1, 0]);
    expect(gpio.writes).toEqual([{ bcm: 22, level: 1 }, { bcm: 22, level: 0 }, { bcm: 22, level: 0 }]);
    const aux = await gpio.input(4);
    const edges: number[] = [];
    const stop = aux.watch((l) => edges.push(l));
    gpio.drive(4, 1);
    expect(await aux.read()).toBe(1);
    stop();
    gpio.drive(4, 0);
    expect(edges).toEqual([1]);
  });

  it('enforces busy and closed pins', async () => {
    const gpio = new FakeGpio();
    const pin = await gpio.output(27, 0);
    await expect(gpio.output(27, 0)).rejects.toMatchObject({ name: 'GpioError', code: 'pin-busy' });
    await pin.close();
    await pin.close();
    await expect(pin.write(1)).rejects.toMatchObject({ code: 'pin-closed' });
    const again = await gpio.output(27, 1);
    expect(gpio.level(27)).toBe(1);
    await again.close();
    const input = await gpio.input(5);
    const edges: number[] = [];
    input.watch((l) => edges.push(l));
    await input.close();
    gpio.drive(5, 1);
    expect(edges).toEqual([]);
    await expect(input.read()).rejects.toMatchObject({ code: 'pin-closed' });
  });
});

describe('onoff Gpio', () => {
  it('is not accessible on a machine without sysfs GPIO, and says so on open', async () => {
    const gpio = await createOnoffGpio();
    expect(gpio.accessible).toBe(false);
    await expect(gpio.output(22, 0)).rejects.toMatchObject({ name: 'GpioError', code: 'gpio-unavailable' });
  });

  it('survives onoff failing to load (no native epoll build)', async () => {
    const gpio = await createOnoffGpio({ load: () => Promise.reject(new Error('epoll.node missing')) });
    expect(gpio.accessible).toBe(false);
    await expect(gpio.input(4)).rejects.toMatchObject({ code: 'gpio-unavailable' });
  });

  it('opens the sysfs number worked out from the labels (onoff stubbed)', async () => {
    const root = fakeSysfs([['gpiochip512', 'pinctrl-bcm2711', 512, 58]]);
    const opened: Array<[number, string]> = [];
    const unexported: number[] = [];
    class StubGpio {
      static accessible = true;
      constructor(private readonly n: number, direction: string) { opened.push([n, direction]); }
      async write(): Promise<void> {}
      async read(): Promise<0 | 1> { return 1; }
      watch(): void {}
      unwatch(): void {}
      unwatchAll(): void {}
      unexport(): void { unexported.push(this.n); }
    }
    const gpio = await createOnoffGpio({ sysfsRoot: root, load: async () => ({ Gpio: StubGpio }) as never });
    expect(gpio.accessible).toBe(true);
    const m0 = await gpio.output(22, 0);
    const m1 = await gpio.output(27, 1);
    const aux = await gpio.input(4);
    expect(opened).toEqual([[534, 'low'], [539, 'high'], [516, 'in']]);
    await expect(gpio.output(22, 0)).rejects.toMatchObject({ code: 'pin-busy' });
    expect(await aux.read()).toBe(1);
    await m0.close();
    await expect(m0.write(1)).rejects.toMatchObject({ code: 'pin-closed' });
    await m1.close();
    await aux.close();
    // Mode pins stay exported and driven (a floating M0/M1 could put the module to sleep); AUX is released.
    expect(unexported).toEqual([516]);
  });
});
