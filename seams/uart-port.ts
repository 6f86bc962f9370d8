/**
 * A UART as every serial user sees it: the serial link (node-runtime/links/
 * serial/) and the E22 HAT driver (hardware/e22/driver.ts). serialport's
 * `SerialPort` (a real UART such as /dev/serial0 or /dev/ttyUSB0) and
 * `SerialPortMock` (tests, over @serialport/binding-mock) both fit it
 * structurally, so neither user imports serialport's class.
 *
 * Contract (serialport's stream semantics, kept as they are):
 *  - open() calls back once, with an error if the device cannot be opened;
 *    close() calls back once, and is harmless on a closed port.
 *  - write() queues bytes in order; its callback reports that write's
 *    failure; drain() calls back once everything queued has gone to the OS.
 *  - 'data' delivers received bytes in order, in chunks of any size (at
 *    least one byte); frame boundaries are the reader's job (seams/deframer.ts).
 *  - 'close' fires when the port closes, with an error whose `disconnected`
 *    is true when the device went away (USB unplugged); 'error' reports
 *    failures outside any callback, and must have a listener (an unhandled
 *    'error' event crashes the process).
 *  - update() changes the baud rate of an open port (the E22's config mode
 *    runs at 9600 whatever the normal-mode baud).
 */
export interface UartPort {
  readonly isOpen: boolean;
  readonly baudRate: number;
  open(callback: (error: Error | null) => void): void;
  close(callback?: (error: Error | null) => void): void;
  write(data: Uint8Array, callback?: (error: Error | null | undefined) => void): boolean;
  drain(callback: (error: Error | null) => void): void;
  update(options: { baudRate: number }, callback: (error: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'close', listener: (error?: Error | null) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  removeAllListeners(): unknown;
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
