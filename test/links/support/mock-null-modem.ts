/**
 * A null-modem cable between two @serialport/binding-mock ports. The mock
 * does not cross-wire ports, so this harness wraps each opened port's binding
 * write(): bytes written on one end are emitted as received data on the
 * other end (if it is open), after an optional `tamper` step that tests use
 * to corrupt or split the line. It also pulls the plug (a read error that
 * serialport treats as a disconnect) and makes opens fail.
 *
 * ESM note: the MockBinding must be the one SerialPortMock carries
 * (`SerialPortMock.binding`), a separately imported one is another instance.
 */
import { SerialPortMock } from 'serialport';
import type { OpenSerialPort } from '../../../node-runtime/links/serial/serial-link.ts';

interface MockBindingPort {
  isOpen: boolean;
  write(buffer: Buffer): Promise<void>;
  emitData(data: Buffer): void;
  recording: Buffer;
}

export class MockNullModem {
  private readonly open = new Map<string, MockBindingPort>();
  private readonly failOpens = new Map<string, number>();
  /** Every SerialPortMock the factory made, per path, oldest first. */
  readonly made = new Map<string, SerialPortMock[]>();
  /** Makes every binding write take this long (a slow line), so writes queue up in the stream. */
  writeDelayMs = 0;
  /** Rewrites bytes in flight from `from`; return [] to lose them. */
  tamper: ((bytes: Buffer, from: string) => Buffer[]) | undefined;

  constructor(readonly pathA: string, readonly pathB: string) {
    SerialPortMock.binding.createPort(pathA, { echo: false, record: true });
    SerialPortMock.binding.createPort(pathB, { echo: false, record: true });
  }

  private other(path: string): string {
    return path === this.pathA ? this.pathB : this.pathA;
  }

  /** The factory to give a SerialLink. */
  readonly openPort: OpenSerialPort = ({ path, baudRate }) => {
    const remaining = this.failOpens.get(path) ?? 0;
    // A path the mock does not know makes open() fail asynchronously, as a missing device does.
    const realPath = remaining > 0 ? `${path}.unplugged` : path;
    if (remaining > 0) this.failOpens.set(path, remaining - 1);
    const port = new SerialPortMock({ path: realPath, baudRate, autoOpen: false });
    const list = this.made.get(path) ?? [];
    list.push(port);
    this.made.set(path, list);
    port.on('open', () => {
      const binding = port.port as unknown as MockBindingPort;
      const write = binding.write.bind(binding);
      binding.write = async (buffer: Buffer): Promise<void> => {
        if (this.writeDelayMs > 0) await new Promise((r) => setTimeout(r, this.writeDelayMs));
        await write(buffer);
        const pieces = this.tamper ? this.tamper(Buffer.from(buffer), path) : [Buffer.from(buffer)];
        for (const piece of pieces) this.inject(this.other(path), piece);
      };
      this.open.set(path, binding);
    });
    port.on('close', () => {
      if (this.open.get(path) === (port.port as unknown as MockBindingPort | undefined)) this.open.delete(path);
    });
    return port;
  };

  /** Bytes the port at `path` will read, as if they came down the cable (line noise, a foreign device). */
  inject(path: string, bytes: Uint8Array): void {
    const binding = this.open.get(path);
    if (binding?.isOpen) binding.emitData(Buffer.from(bytes));
  }

  /** Everything written on `path` by its currently open port. */
  recording(path: string): Buffer {
    return this.open.get(path)?.recording ?? Buffer.alloc(0);
  }

  isOpen(path: string): boolean {
    return this.open.get(path)?.isOpen ?? false;
  }

  /** The next `count` opens of `path` fail (device absent). */
  failNextOpens(path: string, count: number): void {
    this.failOpens.set(path, count);
  }

  /**
   * Pulls the plug: the pending read fails with a non-cancel error, which
   * serialport's stream reports as a disconnect ('close' with err.disconnected).
   */
  async unplug(path: string): Promise<void> {
    const binding = this.open.get(path) as unknown as { pendingRead: ((err?: Error) => void) | null } | undefined;
    if (!binding) throw new Error(`${path} is not open`);
    for (let i = 0; i < 100 && !binding.pendingRead; i++) await new Promise((r) => setTimeout(r, 1));
    const pending = binding.pendingRead;
    if (!pending) throw new Error(`${path} has no pending read to fail`);
    binding.pendingRead = null;
    pending(new Error('device unplugged (test)'));
  }
}
