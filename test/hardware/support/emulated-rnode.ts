/**
 * Test plumbing: RNode emulators (hardware/rnode/emulator.ts) behind the
 * real serialport stack over @serialport/binding-mock. The port factory
 * given to a link attaches the emulator to each port it opens, as plugging
 * the radio in would.
 */
import { randomUUID } from 'node:crypto';
import { SerialPortMock } from 'serialport';
import { KissDeframer } from '../../../node-runtime/links/framing/kiss-deframer.ts';
import { KissFrameEncoder } from '../../../node-runtime/links/framing/kiss-encoder.ts';
import type { OpenSerialPort } from '../../../node-runtime/links/serial/open-serial-port.ts';
import { RNodeEmulator, type KissFraming, type RNodeEmulatorOptions } from '../../../hardware/rnode/emulator.ts';

export function kissFraming(): KissFraming {
  const encoder = new KissFrameEncoder();
  return { deframer: new KissDeframer({ maxFrameBytes: 600 }), encode: (command, data) => encoder.encode(command, data) };
}

export interface EmulatedRNode {
  readonly path: string;
  readonly emulator: RNodeEmulator;
  /** The factory for a link's `openPort`: each opened port gets the emulator on its far end. */
  readonly openPort: OpenSerialPort;
}

export function emulatedRNode(options: Omit<RNodeEmulatorOptions, 'name' | 'framing'>): EmulatedRNode {
  const path = `/dev/rnode-${randomUUID()}`;
  SerialPortMock.binding.createPort(path, { echo: false, record: false });
  const emulator = new RNodeEmulator({ ...options, name: path, framing: kissFraming() });
  const openPort: OpenSerialPort = ({ path: p, baudRate }) => {
    const port = new SerialPortMock({ path: p, baudRate, autoOpen: false });
    const open = port.open.bind(port);
    port.open = (callback?: (err: Error | null) => void): void => {
      open((err) => {
        if (!err && port.port) emulator.attach(port.port);
        callback?.(err);
      });
    };
    return port;
  };
  return { path, emulator, openPort };
}
