/**
 * The part of a serialport stream the E22 driver uses. `SerialPort` (a real
 * UART such as /dev/serial0) and `SerialPortMock` (tests, over
 * @serialport/binding-mock) both fit it structurally.
 */
export interface UartPort {
  readonly isOpen: boolean;
  readonly baudRate: number;
  write(data: Uint8Array, callback?: (error: Error | null | undefined) => void): boolean;
  drain(callback: (error: Error | null) => void): void;
  update(options: { baudRate: number }, callback: (error: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  off(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  close(callback?: (error: Error | null) => void): void;
}

export function writeAndDrain(port: UartPort, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    port.write(bytes, (error) => {
      if (error) reject(error);
    });
    port.drain((error) => (error ? reject(error) : resolve()));
  });
}

export function setBaud(port: UartPort, baudRate: number): Promise<void> {
  if (port.baudRate === baudRate) return Promise.resolve();
  return new Promise((resolve, reject) => port.update({ baudRate }, (error) => (error ? reject(error) : resolve())));
}

export function closePort(port: UartPort): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => port.close(() => resolve()));
}
