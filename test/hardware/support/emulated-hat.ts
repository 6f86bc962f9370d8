/** Test plumbing: an emulated E22 HAT on the real serialport stack over @serialport/binding-mock. */
import { randomUUID } from 'node:crypto';
import { SerialPortMock } from 'serialport';
import type { Clock, TimerHandle } from '../../../seams/clock.ts';
import { systemClock } from '../../../node-runtime/platform/clock.ts';
import { FakeGpio } from '../../../hardware/gpio/fake-gpio.ts';
import { E22Driver, type E22DriverOptions } from '../../../hardware/e22/driver.ts';
import { E22Emulator, type E22EmulatorOptions } from '../../../hardware/e22/emulator.ts';
import type { E22Ether } from '../../../hardware/e22/ether.ts';

/** A real clock whose timers run `factor` times as long (0.01: 100x faster), so airtime waits stay short in tests. */
export function scaledClock(factor: number): Clock {
  return {
    // performance.now() for sub-millisecond resolution: Date.now() steps would be 1/factor ms of scaled time.
    now: () => (performance.timeOrigin + performance.now()) / factor,
    setTimer(delayMs: number, fn: () => void): TimerHandle {
      return systemClock.setTimer(delayMs * factor, fn);
    },
  };
}

export interface EmulatedHat {
  readonly path: string;
  readonly port: SerialPortMock;
  readonly gpio: FakeGpio;
  readonly emulator: E22Emulator;
  readonly driver: E22Driver;
}

export async function openPort(path: string, baudRate = 9600): Promise<SerialPortMock> {
  SerialPortMock.binding.createPort(path, { echo: false, record: true });
  const port = new SerialPortMock({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  return port;
}

export async function emulatedHat(options: {
  ether: E22Ether;
  clock?: Clock;
  emulator?: Partial<Omit<E22EmulatorOptions, 'gpio' | 'ether' | 'clock'>>;
  driver?: Partial<Omit<E22DriverOptions, 'port' | 'gpio' | 'clock'>>;
  hostBaud?: number;
}): Promise<EmulatedHat> {
  const clock = options.clock ?? systemClock;
  const path = `/dev/e22-${randomUUID()}`;
  const port = await openPort(path, options.hostBaud ?? 9600);
  const gpio = new FakeGpio();
  const emulator = new E22Emulator({ name: path, gpio, ether: options.ether, clock, modeSwitchMs: 2, ...options.emulator });
  emulator.attach(port.port!);
  const driver = await E22Driver.open({ port, gpio, clock, modeSettleMs: 10, commandTimeoutMs: 500, ...options.driver });
  return { path, port, gpio, emulator, driver };
}
