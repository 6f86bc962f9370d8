/**
 * Field sensors on an Arduino running StandardFirmata, read through
 * johnny-five (docs/ARCHITECTURE.md "Field sensors: johnny-five without
 * serialport 8"). The Firmata IO is injected: firmata-io's Firmata over the
 * project's serialport 13 port on a sensor node, mock-firmata in tests.
 *
 * Each configured sensor becomes a johnny-five component whose latest value
 * is cached from its 'data' events; `sample()` turns the cache into integer
 * readings in the units of protocol/envelope/sensor.ts SensorQuantity.
 *  - temperature: LM35 on an analog pin (johnny-five's LM35 controller:
 *    10 mV/degC, LM35 datasheet section 1), in centi-degrees Celsius;
 *  - humidity: HIH-4030 on an analog pin, Vout = Vs (0.0062 RH + 0.16)
 *    at 25 degC (HIH-4030 datasheet, "Typical output"), 5 V supply and
 *    10-bit ADC, in centi-percent;
 *  - digital: a pin read as 0 or 1 (a door contact, a float switch);
 *  - analog: the raw 10-bit level 0..1023 (a water level, a potentiometer).
 */
import { createRequire } from 'node:module';
import { HardwareError } from '../errors.ts';

export type SensorKind = 'temperature' | 'humidity' | 'digital' | 'analog';

export interface SensorSpec {
  /** The name shown by `meow sensors` (a-z, 0-9, -). */
  readonly name: string;
  readonly kind: SensorKind;
  /** Firmata pin: 'A0'..'A5' for analog kinds, a digital pin number for digital. */
  readonly pin: string | number;
  /** Quantity code sent in the envelope (default by kind; 0x80-0xff for application codes). */
  readonly quantity?: number;
}

export interface SensorSample {
  readonly name: string;
  readonly quantity: number;
  readonly value: number;
}

/** Default quantity codes (protocol/envelope/sensor.ts SensorQuantity; 0x80+ application defined). */
export const DEFAULT_QUANTITY: Readonly<Record<SensorKind, number>> = {
  temperature: 1, // temperatureCentiCelsius
  humidity: 2, // relativeHumidityCentiPercent
  digital: 0x80,
  analog: 0x81,
};

export class SensorBoardError extends HardwareError<'sensor-board'> {
  override readonly name = 'SensorBoardError';
  constructor(message: string, fields: Record<string, unknown> = {}) {
    super('sensor-board', message, fields);
  }
}

interface J5Component {
  on(event: 'data', listener: (this: J5Component, value: number) => void): unknown;
  /** Stops the component's sampling interval (johnny-five Sensor and Thermometer). */
  disable(): void;
  readonly celsius?: number;
}
interface J5Board {
  on(event: 'ready' | 'error', listener: (e?: unknown) => void): unknown;
}
interface J5 {
  Board: new (options: object) => J5Board;
  Thermometer: new (options: object) => J5Component;
  Sensor: new (options: object) => J5Component;
}

/** HIH-4030: RH% from a 10-bit reading at 5 V (datasheet: Vout = Vs (0.0062 RH + 0.16)). */
export function hih4030CentiPercent(raw: number): number {
  const ratio = raw / 1023;
  const rh = (ratio - 0.16) / 0.0062;
  return Math.round(Math.min(100, Math.max(0, rh)) * 100);
}

export interface SensorBoard {
  /** The latest reading of every sensor that has reported one. */
  sample(): SensorSample[];
  /** Stops the components' timers: a board given up (lost, or the node stopping) costs nothing more. */
  close(): void;
}

interface FirmataEvents {
  on?(event: 'error' | 'close' | 'disconnect', listener: (e?: unknown) => void): unknown;
}

/**
 * Opens johnny-five on `io` and starts the configured sensors; resolves
 * once the board is ready, rejects with SensorBoardError after timeoutMs or
 * when the IO reports an error first (a serial port that cannot be opened).
 * johnny-five is loaded on demand, so nodes without sensors never load it.
 *
 * A board lost later (USB unplugged: the IO's 'close', 'disconnect' or
 * 'error') is reported once to `onLost`, and sample() returns nothing from
 * then on: johnny-five keeps repeating its last values, which must not
 * travel as fresh readings. Reopening is the caller's (reconnecting-board.ts
 * in node-runtime/sensors) with a new IO.
 */
export async function openSensorBoard(
  io: object, specs: readonly SensorSpec[], timeoutMs = 10_000, onLost?: (reason: string) => void,
): Promise<SensorBoard> {
  const five = createRequire(import.meta.url)('johnny-five') as J5;
  let ready = false;
  let lost = false;
  let failStart: (e: SensorBoardError) => void = () => undefined;
  const events = io as FirmataEvents;
  const loseBoard = (reason: string): void => {
    if (!ready) failStart(new SensorBoardError(`Firmata board failed: ${reason}`));
    else if (!lost) {
      lost = true;
      onLost?.(reason);
    }
  };
  // Firmata re-emits its port's errors: without a listener an unplugged board would crash the node.
  events.on?.('error', (e) => loseBoard(String((e as { message?: string })?.message ?? e)));
  events.on?.('close', () => loseBoard('the serial port closed'));
  events.on?.('disconnect', () => loseBoard('the board was disconnected'));
  // sigint: false: johnny-five would otherwise install a SIGINT handler that exits the process after 1 s, per board.
  const board = new five.Board({ io, repl: false, debug: false, sigint: false, timeout: timeoutMs });
  await new Promise<void>((resolve, reject) => {
    failStart = reject;
    const timer = setTimeout(() => reject(new SensorBoardError(`no Firmata board ready within ${timeoutMs} ms`)), timeoutMs);
    board.on('ready', () => {
      clearTimeout(timer);
      ready = true;
      resolve();
    });
    board.on('error', (e) => {
      clearTimeout(timer);
      reject(new SensorBoardError(`Firmata board failed: ${String((e as { message?: string })?.message ?? e)}`));
    });
  });
  const latest = new Map<string, SensorSample>();
  const components: J5Component[] = [];
  for (const spec of specs) {
    const quantity = spec.quantity ?? DEFAULT_QUANTITY[spec.kind];
    const put = (value: number): void => {
      if (Number.isFinite(value)) latest.set(spec.name, { name: spec.name, quantity, value: Math.round(value) });
    };
    switch (spec.kind) {
      case 'temperature': {
        const t = new five.Thermometer({ controller: 'LM35', pin: spec.pin, board });
        t.on('data', function () { put((this.celsius ?? NaN) * 100); });
        components.push(t);
        break;
      }
      case 'humidity':
        components.push(new five.Sensor({ pin: spec.pin, board }));
        components.at(-1)!.on('data', (raw) => put(hih4030CentiPercent(raw)));
        break;
      case 'digital':
        components.push(new five.Sensor({ pin: spec.pin, type: 'digital', board }));
        components.at(-1)!.on('data', (v) => put(v ? 1 : 0));
        break;
      case 'analog':
        components.push(new five.Sensor({ pin: spec.pin, board }));
        components.at(-1)!.on('data', put);
        break;
    }
  }
  return {
    sample: () => (lost ? [] : specs.flatMap((s) => latest.get(s.name) ?? [])),
    close: () => {
      lost = true;
      for (const c of components) c.disable();
    },
  };
}
