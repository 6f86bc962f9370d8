/**
 * The real device behind a serial link: serialport 13 (native binding,
 * prebuilt for armv6/armv7/arm64/x64). Made unopened: the link opens it
 * itself so that a failed open takes the same reconnect path as a lost port.
 */
import { SerialPort } from 'serialport';
import type { UartPort } from '../../../seams/uart-port.ts';

export interface SerialPortSettings {
  path: string;
  baudRate: number;
}

/** Makes an unopened port; the link opens it, and makes another after a loss. */
export type OpenSerialPort = (settings: SerialPortSettings) => UartPort;

export const openRealSerialPort: OpenSerialPort = (settings) =>
  new SerialPort({ path: settings.path, baudRate: settings.baudRate, autoOpen: false });
