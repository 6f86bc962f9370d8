/**
 * Production wiring of the HAT: the real UART (serialport), GPIO through
 * onoff with BCM numbers resolved from sysfs. The clock is the caller's
 * (node-runtime/platform/clock.ts on a board). Everything is injectable so that tests run the same path on binding-mock, a
 * FakeGpio and the emulator.
 */
import type { Clock } from '../../seams/clock.ts';
import type { Gpio } from '../../seams/gpio.ts';
import { createOnoffGpio } from '../gpio/onoff-gpio.ts';
import { E22Driver, type E22DriverOptions } from './driver.ts';
import type { E22Pins } from './modes.ts';
import { E22_900T22S, type E22Config, type E22Variant } from './registers.ts';
import type { UartPort } from '../../seams/uart-port.ts';

export interface OpenHatOptions {
  /** Default /dev/serial0 (the Pi's primary UART alias; /dev/ttyAMA0 on a Pi 5 with dtparam=uart0). */
  readonly portPath?: string;
  readonly variant?: E22Variant;
  readonly pins?: E22Pins;
  readonly clock: Clock;
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

export async function openE22Hat(options: OpenHatOptions): Promise<E22Driver> {
  const port = await (options.openPort ?? openSerialPort)(options.portPath ?? '/dev/serial0', options.baud ?? 9600);
  const gpio = options.gpio ?? await createOnoffGpio();
  return E22Driver.open({
    port, gpio, clock: options.clock, variant: options.variant ?? E22_900T22S,
    ...(options.pins ? { pins: options.pins } : {}),
    ...(options.baud ? { normalBaud: options.baud as E22DriverOptions['normalBaud'] } : {}),
    ...options.driver,
  });
}

/** Settings the mesh needs from the module: one packet per frame, RSSI per packet, everyone hears everyone. */
export const meshSettings: Partial<E22Config> = {
  packetSizeBytes: 240, rssiByte: true, fixedPoint: false, relay: false, ambientNoiseRssi: true, address: 0xffff,
};
