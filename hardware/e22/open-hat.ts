/**
 * Production wiring of the HAT: the real UART (serialport), GPIO through
 * onoff with BCM numbers resolved from sysfs, the system clock. Everything
 * is injectable so that tests run the same path on binding-mock, a
 * FakeGpio and the emulator.
 */
import type { Clock } from '../../node-runtime/platform/clock.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import type { Gpio } from '../gpio/gpio.ts';
import { createOnoffGpio } from '../gpio/onoff-gpio.ts';
import { E22Driver, type E22DriverOptions } from './driver.ts';
import { E22Error } from './errors.ts';
import { LoRaLink } from './lora-link.ts';
import type { E22Pins } from './modes.ts';
import { E22_900T22S, type E22Config, type E22Variant } from './registers.ts';
import type { UartPort } from './uart-port.ts';

export interface OpenHatOptions {
  /** Default /dev/serial0 (the Pi's primary UART alias; /dev/ttyAMA0 on a Pi 5 with dtparam=uart0). */
  readonly portPath?: string;
  readonly variant?: E22Variant;
  readonly pins?: E22Pins;
  readonly clock?: Clock;
  /** Default: onoff on sysfs (normal mode only where GPIO is not accessible). */
  readonly gpio?: Gpio;
  /** The module's normal-mode UART baud (default 9600, the factory setting). */
  readonly baud?: number;
  /** Opens the UART; default: serialport's SerialPort. */
  readonly openPort?: (path: string, baudRate: number) => Promise<UartPort>;
  readonly driver?: Partial<Pick<E22DriverOptions, 'modeSettleMs' | 'auxTimeoutMs' | 'commandTimeoutMs'>>;
}

async function openSerialPort(path: string, baudRate: number): Promise<UartPort> {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  return port;
}

export async function openE22Hat(options: OpenHatOptions = {}): Promise<E22Driver> {
  const port = await (options.openPort ?? openSerialPort)(options.portPath ?? '/dev/serial0', options.baud ?? 9600);
  const gpio = options.gpio ?? await createOnoffGpio();
  return E22Driver.open({
    port, gpio, clock: options.clock ?? systemClock, variant: options.variant ?? E22_900T22S,
    ...(options.pins ? { pins: options.pins } : {}),
    ...(options.baud ? { normalBaud: options.baud as E22DriverOptions['normalBaud'] } : {}),
    ...options.driver,
  });
}

/** Settings the mesh needs from the module: one packet per frame, RSSI per packet, everyone hears everyone. */
export const meshSettings: Partial<E22Config> = {
  packetSizeBytes: 240, rssiByte: true, fixedPoint: false, relay: false, ambientNoiseRssi: true, address: 0xffff,
};

export interface OpenLinkOptions extends OpenHatOptions {
  readonly id?: string;
  /**
   * Settings to enforce before the link starts (default meshSettings);
   * written with C0 only if they differ. A cryptKey here is written on every
   * start (the module never reads it back), so set keys with configure-hat.
   */
  readonly ensure?: Partial<E22Config>;
}

/**
 * Opens the HAT as a Link. With mode pins, reads the registers and writes
 * the mesh settings if needed; without them (config.txt fallback), trusts
 * `assumedConfig` since the module cannot be asked.
 */
export async function openLoRaHatLink(options: OpenLinkOptions & { assumedConfig?: E22Config }): Promise<LoRaLink> {
  const clock = options.clock ?? systemClock;
  const driver = await openE22Hat(options);
  try {
    let config: E22Config;
    if (driver.canSwitchModes) {
      config = await driver.readConfig();
      const wanted = { ...config, ...(options.ensure ?? meshSettings) };
      const differs = (Object.keys(wanted) as Array<keyof E22Config>).some((k) => wanted[k] !== config[k]);
      if (differs) config = await driver.writeConfig(wanted);
    } else if (options.assumedConfig) {
      config = options.assumedConfig;
    } else {
      throw new E22Error('mode-pins-unavailable', 'no GPIO for M0/M1 and no assumedConfig: the module settings cannot be read');
    }
    return new LoRaLink({ driver, config, clock, ...(options.id ? { id: options.id } : {}) });
  } catch (error) {
    await driver.close();
    throw error;
  }
}
