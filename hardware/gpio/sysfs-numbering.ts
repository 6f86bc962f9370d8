/**
 * BCM line number -> sysfs GPIO number, worked out at run time from the
 * kernel's gpiochip directories rather than hard-coded, because the offset
 * moves between kernels and boards (DESIGN.md section 5):
 *
 *   board / kernel                 header chip label    sysfs base   BCM 22
 *   Pi 0-3, any kernel             pinctrl-bcm2835      0 (<6.6), 512 (6.6+)
 *   Pi 4 / 400 / CM4, kernel < 6.6 pinctrl-bcm2711      0            22
 *   Pi 4 / 400 / CM4, kernel 6.6+  pinctrl-bcm2711      512          534
 *   Pi 5, kernel 6.6+              pinctrl-rp1          571          593
 *
 * Each /sys/class/gpio/gpiochipN directory holds `base`, `label` and `ngpio`
 * (Documentation/ABI/obsolete/sysfs-gpio in the kernel tree). The other chips
 * (the Pi 4's "raspberrypi-exp-gpio" expander, the Pi 5's "gpio-brcmstb@..."
 * SoC banks) are not on the 40-pin header and are ignored.
 *
 * If sysfs GPIO is missing altogether (a kernel built without it), the
 * config.txt fallback `gpio=22,27=op,dl` holds M0/M1 low from boot (normal
 * mode) and the HAT is configured with its jumpers instead (docs/HARDWARE.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GpioError } from './errors.ts';

export interface GpioChipInfo {
  /** Directory name, e.g. "gpiochip512". */
  readonly name: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

/** The two file-system calls this module needs, injectable so tests use a fake tree. */
export interface SysfsReader {
  readdir(path: string): string[];
  readFile(path: string): string;
}

export const nodeSysfsReader: SysfsReader = {
  readdir: (path) => readdirSync(path),
  readFile: (path) => readFileSync(path, 'utf8'),
};

export const defaultSysfsGpioRoot = '/sys/class/gpio';

/** Labels of the gpiochips that carry the 40-pin header, most specific first. */
export const headerChipLabels: readonly string[] = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'];

export interface SysfsNumberingOptions {
  sysfsRoot?: string;
  reader?: SysfsReader;
  /** Use this chip label instead of the known header labels (other boards). */
  chipLabel?: string;
}

/** Lists the gpiochips under the sysfs root; unreadable or malformed entries are skipped. */
export function listGpioChips(options: SysfsNumberingOptions = {}): GpioChipInfo[] {
  const root = options.sysfsRoot ?? defaultSysfsGpioRoot;
  const reader = options.reader ?? nodeSysfsReader;
  let entries: string[];
  try {
    entries = reader.readdir(root);
  } catch {
    return [];
  }
  const chips: GpioChipInfo[] = [];
  for (const name of entries) {
    if (!/^gpiochip\d+$/.test(name)) continue;
    try {
      const dir = join(root, name);
      const label = reader.readFile(join(dir, 'label')).trim();
      const base = Number.parseInt(reader.readFile(join(dir, 'base')).trim(), 10);
      const ngpio = Number.parseInt(reader.readFile(join(dir, 'ngpio')).trim(), 10);
      if (!Number.isSafeInteger(base) || base < 0 || !Number.isSafeInteger(ngpio) || ngpio <= 0) continue;
      chips.push({ name, label, base, ngpio });
    } catch {
      continue;
    }
  }
  return chips.sort((a, b) => a.base - b.base);
}

/** The chip that carries the 40-pin header, or a GpioError naming what was found. */
export function findHeaderChip(options: SysfsNumberingOptions = {}): GpioChipInfo {
  const chips = listGpioChips(options);
  const wanted = options.chipLabel !== undefined ? [options.chipLabel] : headerChipLabels;
  for (const label of wanted) {
    const chip = chips.find((c) => c.label === label);
    if (chip) return chip;
  }
  const found = chips.map((c) => `${c.name}=${c.label}@${c.base}`).join(', ') || 'none';
  throw new GpioError('no-header-chip',
    `no gpiochip labelled ${wanted.join(' or ')} under ${options.sysfsRoot ?? defaultSysfsGpioRoot} (found: ${found}); ` +
    'pass chipLabel for other boards, or use the config.txt fallback gpio=22,27=op,dl');
}

/** Sysfs number of a BCM line, e.g. BCM 22 -> 534 on a Pi 4 with kernel 6.6. */
export function sysfsNumberForBcm(bcm: number, options: SysfsNumberingOptions = {}): number {
  const chip = findHeaderChip(options);
  if (!Number.isInteger(bcm) || bcm < 0 || bcm >= chip.ngpio) {
    throw new GpioError('line-out-of-range', `BCM ${bcm} is not a line of ${chip.name} (${chip.label}, ${chip.ngpio} lines)`);
  }
  return chip.base + bcm;
}
