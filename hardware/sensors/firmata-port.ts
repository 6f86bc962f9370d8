/**
 * The Firmata IO of a real sensor board: firmata-io's Firmata over the
 * project's serialport 13 (docs/ARCHITECTURE.md "Field sensors: johnny-five
 * without serialport 8"), StandardFirmata's 57600 baud by default. Tests
 * inject mock-firmata instead; this is the one place a board's serial port
 * is opened for sensors.
 */
import { createRequire } from 'node:module';
import { SerialPort } from 'serialport';
import { SensorBoardError } from './firmata-sensors.ts';

export const STANDARD_FIRMATA_BAUD = 57_600;

type FirmataClass = new (transport: object) => object;

/** Opens `path` and returns the Firmata IO johnny-five drives (openSensorBoard); a missing port is a SensorBoardError. */
export function openFirmataPort(path: string, baudRate = STANDARD_FIRMATA_BAUD): object {
  const { Firmata } = createRequire(import.meta.url)('firmata-io') as { Firmata: FirmataClass };
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  port.open((error) => {
    // Reported through Firmata's 'error': openSensorBoard rejects with what the port said.
    if (error) port.emit('error', new SensorBoardError(`cannot open the sensor board's serial port ${path}: ${error.message}`, { path }));
  });
  return new Firmata(port);
}
