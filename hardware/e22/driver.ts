/**
 * Driver of an Ebyte E22 UART LoRa module (the Waveshare SX1262 HAT):
 * mode pins through the Gpio interface, configuration commands in mode 2 at
 * 9600 baud (commands.ts), transparent data in normal mode. Time through
 * the injected Clock; the UART is the UartPort seam (seams/uart-port.ts),
 * which serialport's stream and its mock satisfy.
 *
 * One operation at a time: mode changes, commands and data writes are
 * serialised, and while a command waits for its reply the UART's bytes go to
 * that reply, not to data listeners.
 */
import type { Clock } from '../../seams/clock.ts';
import type { Gpio, InputPin, OutputPin } from '../../seams/gpio.ts';
import { concatBytes } from '../../protocol/codec/bytes.ts';
import { decodeReply, encodeCommand, encodeSignalRead, signalRegisters, type E22Command, type E22Reply } from './commands.ts';
import { E22Error } from './errors.ts';
import { auxSettleMs, configModeBaud, defaultModeSettleMs, modePinLevels, waveshareHatPins, type E22Mode, type E22Pins } from './modes.ts';
import { decodeRegisters, encodeRegisters } from './register-codec.ts';
import {
  E22_900T22S, productInfoBytes, readableConfigBytes, registerAddress, rssiByteToDbm,
  type E22Config, type E22Variant, type UartBaud,
} from './registers.ts';
import { closePort, setBaud, writeAndDrain, type UartPort } from '../../seams/uart-port.ts';

export interface E22DriverOptions {
  readonly port: UartPort;
  /** Undefined, or not accessible: M0/M1 are held low by config.txt (gpio=22,27=op,dl) or jumpers; normal mode only. */
  readonly gpio?: Gpio;
  readonly clock: Clock;
  readonly variant?: E22Variant;
  readonly pins?: E22Pins;
  /** Wait after a mode change when there is no AUX pin (default 100 ms). */
  readonly modeSettleMs?: number;
  /** Longest wait for AUX to rise after a mode change (default 1000 ms). */
  readonly auxTimeoutMs?: number;
  /** Longest wait for a command reply (default 1000 ms). */
  readonly commandTimeoutMs?: number;
  /** The module's UART baud in normal mode (REG0), default 9600; updated by readConfig/writeConfig. */
  readonly normalBaud?: UartBaud;
}

export interface E22Signal {
  /** Current ambient noise, dBm. */
  readonly noiseDbm: number;
  /** RSSI of the last packet received, dBm. */
  readonly lastPacketRssiDbm: number;
}

export interface WriteConfigOptions {
  /** C2: keep until power-off instead of saving (C0). */
  readonly temporary?: boolean;
}

export class E22Driver {
  readonly variant: E22Variant;
  private currentMode: E22Mode = 'normal';
  private normalBaud: number;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly dataListeners = new Set<(chunk: Uint8Array) => void>();
  private replySink: ((chunk: Uint8Array) => void) | undefined;
  private closed = false;
  private readonly onPortData = (chunk: Uint8Array): void => {
    if (this.replySink) {
      this.replySink(chunk);
      return;
    }
    if (this.currentMode !== 'normal' && this.currentMode !== 'wor') return;
    for (const fn of [...this.dataListeners]) fn(chunk);
  };

  private constructor(
    private readonly options: E22DriverOptions,
    private readonly m0: OutputPin | undefined,
    private readonly m1: OutputPin | undefined,
    private readonly aux: InputPin | undefined,
  ) {
    this.variant = options.variant ?? E22_900T22S;
    this.normalBaud = options.normalBaud ?? 9600;
    options.port.on('data', this.onPortData);
  }

  /**
   * Opens the mode pins (driving them to normal mode from the first
   * instant) and waits for the module to settle in normal mode.
   */
  static async open(options: E22DriverOptions): Promise<E22Driver> {
    const pins = options.pins ?? waveshareHatPins;
    const gpio = options.gpio?.accessible ? options.gpio : undefined;
    let m0: OutputPin | undefined;
    let m1: OutputPin | undefined;
    let aux: InputPin | undefined;
    if (gpio) {
      m0 = await gpio.output(pins.m0Bcm, modePinLevels.normal.m0);
      m1 = await gpio.output(pins.m1Bcm, modePinLevels.normal.m1);
      if (pins.auxBcm !== undefined) aux = await gpio.input(pins.auxBcm);
    }
    const driver = new E22Driver(options, m0, m1, aux);
    await setBaud(options.port, driver.normalBaud);
    if (gpio) await driver.settle();
    return driver;
  }

  get mode(): E22Mode {
    return this.currentMode;
  }

  /** True when M0/M1 are under our control (otherwise normal mode only). */
  get canSwitchModes(): boolean {
    return this.m0 !== undefined && this.m1 !== undefined;
  }

  /** The UART baud the driver uses in normal mode. */
  get dataBaud(): number {
    return this.normalBaud;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new E22Error('closed', 'E22 driver is closed');
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.options.clock.setTimer(ms, resolve));
  }

  /** Waits for the mode switch to complete: AUX high + 2 ms, or the fixed settle time. */
  private async settle(): Promise<void> {
    if (!this.aux) {
      await this.sleep(this.options.modeSettleMs ?? defaultModeSettleMs);
      return;
    }
    const aux = this.aux;
    // Give the module a moment to pull AUX low before we look (datasheet: AUX low while switching).
    await this.sleep(auxSettleMs);
    if ((await aux.read()) === 0) {
      await new Promise<void>((resolve, reject) => {
        const done = (error?: Error): void => {
          timer.cancel();
          stop();
          if (error) reject(error);
          else resolve();
        };
        const timer = this.options.clock.setTimer(this.options.auxTimeoutMs ?? 1000, () => {
          done(new E22Error('aux-timeout', 'AUX stayed low after a mode change'));
        });
        const stop = aux.watch((level) => {
          if (level === 1) done();
        });
        // AUX may have risen between the first read and the watch.
        void aux.read().then((level) => {
          if (level === 1) done();
        });
      });
    }
    await this.sleep(auxSettleMs);
  }

  private async switchMode(mode: E22Mode): Promise<void> {
    if (mode === this.currentMode) return;
    if (!this.m0 || !this.m1) {
      throw new E22Error('mode-pins-unavailable', `cannot enter ${mode} mode: M0/M1 are not under GPIO control`);
    }
    const levels = modePinLevels[mode];
    await this.m1.write(levels.m1);
    await this.m0.write(levels.m0);
    this.currentMode = mode;
    await this.settle();
    // Configuration mode talks at 9600 8N1 whatever REG0 says (datasheet 6.x).
    await setBaud(this.options.port, mode === 'config' ? configModeBaud : this.normalBaud);
  }

  /** Drives M0/M1 to `mode` and waits for the module. */
  setMode(mode: E22Mode): Promise<void> {
    return this.exclusive(() => this.switchMode(mode));
  }

  /** Sends `request` and collects one whole reply, or fails with a timeout or 'bad-reply'. */
  private transact(request: Uint8Array): Promise<E22Reply> {
    return new Promise<E22Reply>((resolve, reject) => {
      let received: Uint8Array = new Uint8Array(0);
      const finish = (error: Error | undefined, reply?: E22Reply): void => {
        timer.cancel();
        this.replySink = undefined;
        if (error) reject(error);
        else resolve(reply!);
      };
      const timer = this.options.clock.setTimer(this.options.commandTimeoutMs ?? 1000, () => {
        finish(new E22Error('command-timeout', `no reply to ${Array.from(request.subarray(0, 3), (b) => b.toString(16)).join(' ')} within ${this.options.commandTimeoutMs ?? 1000} ms`));
      });
      this.replySink = (chunk) => {
        received = concatBytes(received, chunk);
        const result = decodeReply(received);
        if (result.ok) {
          if (result.value.kind === 'refused') finish(new E22Error('command-refused', 'the module answered FF FF FF'));
          else finish(undefined, result.value);
        } else if (result.code !== 'truncated') {
          finish(new E22Error('bad-reply', `reply ${result.code} at byte ${result.offset}: ${result.message}`));
        }
      };
      writeAndDrain(this.options.port, request).catch((error: unknown) => finish(error as Error));
    });
  }

  private async inConfigMode<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.currentMode;
    await this.switchMode('config');
    try {
      return await fn();
    } finally {
      await this.switchMode(previous);
    }
  }

  /** Sends one command in configuration mode; the reply must echo its address and length. */
  private async runCommand(command: E22Command): Promise<Uint8Array> {
    const reply = await this.transact(encodeCommand(command));
    if (reply.kind !== 'registers' || reply.address !== command.address || reply.data.length !== command.length) {
      throw new E22Error('bad-reply', `reply does not match the ${command.kind} of ${command.length} bytes at ${command.address.toString(16)}h`);
    }
    return reply.data;
  }

  /** Runs one configuration command (entering mode 2 and leaving it). */
  command(command: E22Command): Promise<Uint8Array> {
    encodeCommand(command); // misuse throws here, before any pin moves
    return this.exclusive(() => this.inConfigMode(() => this.runCommand(command)));
  }

  private decodeBlock(data: Uint8Array, what: string): E22Config {
    const decoded = decodeRegisters(data, this.variant);
    if (!decoded.ok) throw new E22Error('bad-reply', `${what}: ${decoded.code} at byte ${decoded.offset}: ${decoded.message}`);
    return decoded.value;
  }

  /** Reads registers 00H-06H; the driver follows the UART baud it finds there. */
  readConfig(): Promise<E22Config> {
    return this.exclusive(() => this.inConfigMode(async () => {
      const data = await this.runCommand({ kind: 'read', address: 0, length: readableConfigBytes, data: new Uint8Array(0) });
      const config = this.decodeBlock(data, 'register block');
      // Set before leaving mode 2, so the host comes back at the module's baud.
      this.normalBaud = config.uartBaud;
      return config;
    }));
  }

  /**
   * Writes registers 00H-06H (and the crypt key when given) with C0, or C2
   * when temporary. The host side keeps 8N1, so other parities are refused.
   * Returns the configuration the module echoed.
   */
  writeConfig(config: E22Config, options: WriteConfigOptions = {}): Promise<E22Config> {
    if (config.uartParity !== '8N1') {
      return Promise.reject(new E22Error('unsupported-setting', `UART parity ${config.uartParity}: the driver keeps the host UART at 8N1`));
    }
    const data = encodeRegisters(config, this.variant);
    return this.exclusive(() => this.inConfigMode(async () => {
      const echoed = await this.runCommand({ kind: options.temporary ? 'writeTemporary' : 'write', address: 0, length: data.length, data });
      const written = this.decodeBlock(echoed, 'echoed block');
      // The new baud applies once the module is back in normal mode (datasheet 6.x).
      this.normalBaud = written.uartBaud;
      return written;
    }));
  }

  /** Registers 80H-86H (product information, read-only). */
  readProductInfo(): Promise<Uint8Array> {
    return this.command({ kind: 'read', address: registerAddress.productInfo, length: productInfoBytes, data: new Uint8Array(0) });
  }

  /**
   * Ambient noise and last-packet RSSI (section 7.4), in normal mode; needs
   * REG1 bit 5 (ambientNoiseRssi). A packet arriving during the read is lost
   * to the reply parser.
   */
  readSignal(): Promise<E22Signal> {
    return this.exclusive(async () => {
      if (this.currentMode !== 'normal') throw new E22Error('wrong-mode', 'the signal read works in normal mode only');
      const reply = await this.transact(encodeSignalRead(signalRegisters.noise, 2));
      if (reply.kind !== 'registers' || reply.address !== 0 || reply.data.length !== 2) {
        throw new E22Error('bad-reply', 'signal reply does not match the request');
      }
      return { noiseDbm: rssiByteToDbm(reply.data[0]!), lastPacketRssiDbm: rssiByteToDbm(reply.data[1]!) };
    });
  }

  /** Writes transparent data in normal (or WOR) mode; resolves once the bytes have left the host UART. */
  writeData(bytes: Uint8Array): Promise<void> {
    return this.exclusive(async () => {
      if (this.currentMode !== 'normal' && this.currentMode !== 'wor') {
        throw new E22Error('wrong-mode', `cannot send data in ${this.currentMode} mode`);
      }
      await writeAndDrain(this.options.port, bytes);
    });
  }

  /** Subscribes to bytes received in normal/WOR mode; returns an unsubscribe function. */
  onData(listener: (chunk: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  /** Leaves the module in normal mode, releases the pins and closes the UART. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    if (this.closed) return;
    this.closed = true;
    this.dataListeners.clear();
    this.options.port.off('data', this.onPortData);
    if (this.currentMode !== 'normal' && this.m0 && this.m1) {
      await this.m1.write(0);
      await this.m0.write(0);
    }
    await this.m0?.close();
    await this.m1?.close();
    await this.aux?.close();
    await closePort(this.options.port);
  }
}
