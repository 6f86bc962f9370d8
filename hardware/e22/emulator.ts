/**
 * An emulated E22 UART LoRa module, behaving per the E22-900T22S manual, on
 * the real serialport stack with @serialport/binding-mock. The host (the
 * driver) opens a SerialPortMock as usual; `attach()` gives the emulator
 * that port's binding: host writes reach `onHostBytes`, replies and received
 * packets go back with `binding.emitData` (the mock's device side).
 *
 * What it models:
 *  - M0/M1 on a FakeGpio select the mode (section 6); a switch takes
 *    `modeSwitchMs` during which AUX (if wired) is low and bytes are lost.
 *  - Mode 2 answers C0/C1/C2 only when the host UART is at 9600 8N1,
 *    refuses malformed or out-of-window commands with FF FF FF (section
 *    7.1), keeps C0 writes across powerCycle() and C2 writes until then,
 *    reads the write-only crypt key as 00 00 and serves 80H-86H.
 *  - Normal and WOR modes: host bytes at the REG0 baud are cut into packets
 *    of the sub-packet size or at 3 idle byte times, sent on the shared
 *    ether after their time on air (half duplex: nothing is received while
 *    sending); fixed-point mode takes the first 3 bytes as target address
 *    and channel. Received packets are filtered on channel, net id, air rate
 *    and address (0xFFFF listens to all) and output with the RSSI byte when
 *    REG3 bit 7 is set. C0 C1 C2 C3 reads noise / last RSSI (section 7.4).
 *  - Sleep: deaf and mute.
 * Not modelled: relay, LBT, WOR preamble timing, encryption (the key is
 * stored, the payload is not scrambled).
 */
import type { SerialPortMock } from 'serialport';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { FakeGpio } from '../gpio/fake-gpio.ts';
import { timeOnAirMs } from '../../protocol/mesh/airtime.ts';
import { concatBytes } from '../../protocol/codec/bytes.ts';
import { e22Modulation, uartTimeMs } from './air-rate.ts';
import { decodeCommand, refusedByte, replyHead, signalReadPrefix, type E22Command } from './commands.ts';
import type { AirPacket, E22Ether, EtherNode } from './ether.ts';
import { configModeBaud, modeFromPins, waveshareHatPins, type E22Mode, type E22Pins } from './modes.ts';
import { decodeRegisters, encodeRegisters } from './register-codec.ts';
import { E22_900T22S, configWindowBytes, defaultConfig, registerAddress, type E22Config, type E22Variant } from './registers.ts';

export interface E22EmulatorOptions {
  readonly name: string;
  readonly gpio: FakeGpio;
  readonly ether: E22Ether;
  readonly clock: Clock;
  readonly variant?: E22Variant;
  readonly pins?: E22Pins;
  /** Saved registers at power-on (default: factory defaults, datasheet 7.3). */
  readonly config?: E22Config;
  /** 80H-86H; the real values are model and firmware specific. */
  readonly productInfo?: Uint8Array;
  /** Duration of a mode switch (AUX low), ms (default 5). */
  readonly modeSwitchMs?: number;
  /** Ambient noise reported by the signal read, dBm (default -110). */
  readonly noiseDbm?: number;
  /**
   * Output received packets on the UART in chunks of this many bytes, one
   * chunk per chunk-time at the REG0 baud, as a real UART read returns them
   * (default: the whole packet at once).
   */
  readonly uartChunkBytes?: number;
}

export interface E22EmulatorStats {
  packetsSent: number;
  packetsReceived: number;
  /** Packets heard on our channel but lost because we were transmitting (half duplex). */
  packetsMissedWhileSending: number;
  commandsAnswered: number;
  commandsRefused: number;
  /** Host bytes at the wrong baud, during a mode switch or in sleep: lost. */
  bytesLost: number;
}

/** The device side of a mock port: `serialPortMock.port` once open. */
export type MockPortBinding = NonNullable<SerialPortMock['port']>;

const emptyBytes = new Uint8Array(0);

export class E22Emulator implements EtherNode {
  readonly name: string;
  readonly variant: E22Variant;
  private readonly pins: E22Pins;
  private saved: Uint8Array;
  private active: Uint8Array;
  private effectiveMode: E22Mode | 'switching';
  private binding: MockPortBinding | undefined;
  private restoreWrite: (() => void) | undefined;
  private commandBytes: Uint8Array = emptyBytes;
  private commandTimer: TimerHandle | undefined;
  private sendBytes: Uint8Array = emptyBytes;
  private sendTimer: TimerHandle | undefined;
  private switchTimer: TimerHandle | undefined;
  private busyUntilMs = 0;
  private readonly uartOut: Uint8Array[] = [];
  private uartPumping = false;
  private lastRssiByte = 0;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly counters: E22EmulatorStats = {
    packetsSent: 0, packetsReceived: 0, packetsMissedWhileSending: 0, commandsAnswered: 0, commandsRefused: 0, bytesLost: 0,
  };

  constructor(private readonly options: E22EmulatorOptions) {
    this.name = options.name;
    this.variant = options.variant ?? E22_900T22S;
    this.pins = options.pins ?? waveshareHatPins;
    const initial = encodeRegisters({ cryptKey: 0, ...(options.config ?? defaultConfig(this.variant)) }, this.variant);
    this.saved = initial;
    this.active = initial.slice();
    this.effectiveMode = this.pinMode();
    const gpio = options.gpio;
    this.unsubscribe.push(gpio.onLevel(this.pins.m0Bcm, () => this.pinsChanged()));
    this.unsubscribe.push(gpio.onLevel(this.pins.m1Bcm, () => this.pinsChanged()));
    if (this.pins.auxBcm !== undefined) gpio.drive(this.pins.auxBcm, 1);
    this.unsubscribe.push(options.ether.join(this));
  }

  /** Connects the host's opened SerialPortMock binding (`serialPort.port`). */
  attach(binding: MockPortBinding): void {
    this.detach();
    this.binding = binding;
    const original = binding.write;
    // The mock binding has no write event: wrap this instance's write so the
    // emulator sees each chunk once the stream has written it.
    binding.write = async (buffer: Buffer): Promise<void> => {
      await original.call(binding, buffer);
      this.onHostBytes(new Uint8Array(buffer));
    };
    this.restoreWrite = () => {
      binding.write = original;
    };
  }

  detach(): void {
    this.restoreWrite?.();
    this.restoreWrite = undefined;
    this.binding = undefined;
  }

  /** Leaves the ether and the pins; the emulator is inert afterwards. */
  destroy(): void {
    this.detach();
    for (const stop of this.unsubscribe.splice(0)) stop();
    for (const t of [this.commandTimer, this.sendTimer, this.switchTimer]) t?.cancel();
  }

  get mode(): E22Mode | 'switching' {
    return this.effectiveMode;
  }

  /** Registers 00H-08H as the module works with them now (C2 included). */
  get activeConfig(): E22Config {
    return this.decode(this.active);
  }

  /** Registers 00H-08H as saved (C0), restored by powerCycle(). */
  get savedConfig(): E22Config {
    return this.decode(this.saved);
  }

  /** The crypt key as stored (the real module never reveals it). */
  get storedCryptKey(): number {
    return (this.active[7]! << 8) | this.active[8]!;
  }

  stats(): E22EmulatorStats {
    return { ...this.counters };
  }

  /** Power off and on: temporary (C2) settings are lost, buffers cleared. */
  powerCycle(): void {
    this.active = this.saved.slice();
    this.commandBytes = emptyBytes;
    this.sendBytes = emptyBytes;
    this.busyUntilMs = 0;
    this.effectiveMode = this.pinMode();
  }

  private decode(block: Uint8Array): E22Config {
    const result = decodeRegisters(block, this.variant);
    if (!result.ok) throw new Error(`emulator registers invalid: ${result.message}`);
    return result.value;
  }

  private pinMode(): E22Mode {
    return modeFromPins(this.options.gpio.level(this.pins.m0Bcm), this.options.gpio.level(this.pins.m1Bcm));
  }

  private setAux(level: 0 | 1): void {
    if (this.pins.auxBcm !== undefined) this.options.gpio.drive(this.pins.auxBcm, level);
  }

  private pinsChanged(): void {
    this.switchTimer?.cancel();
    this.effectiveMode = 'switching';
    this.commandBytes = emptyBytes;
    this.setAux(0);
    this.switchTimer = this.options.clock.setTimer(this.options.modeSwitchMs ?? 5, () => {
      this.effectiveMode = this.pinMode();
      this.setAux(1);
    });
  }

  private emit(bytes: Uint8Array): void {
    const binding = this.binding;
    if (!binding || !binding.isOpen) return;
    binding.emitData(Buffer.from(bytes));
  }

  private hostUart(): { baud: number | undefined; parity: string | undefined } {
    const open = this.binding?.port.openOpt;
    return { baud: open?.baudRate, parity: open?.parity ?? 'none' };
  }

  /** Bytes the host wrote on its TX line. */
  onHostBytes(bytes: Uint8Array): void {
    const { baud, parity } = this.hostUart();
    switch (this.effectiveMode) {
      case 'config':
        // Mode 2 listens at 9600 8N1 only (datasheet 6.x); anything else is line noise to it.
        if (baud !== configModeBaud || parity !== 'none') {
          this.counters.bytesLost += bytes.length;
          return;
        }
        this.commandInput(bytes);
        return;
      case 'normal':
      case 'wor':
        if (baud !== this.activeConfig.uartBaud || parity !== 'none') {
          this.counters.bytesLost += bytes.length;
          return;
        }
        this.dataInput(bytes);
        return;
      case 'sleep':
      case 'switching':
        this.counters.bytesLost += bytes.length;
        return;
    }
  }

  private commandInput(bytes: Uint8Array): void {
    this.commandTimer?.cancel();
    this.commandBytes = concatBytes(this.commandBytes, bytes);
    const result = decodeCommand(this.commandBytes);
    if (result.ok) {
      this.commandBytes = emptyBytes;
      this.execute(result.value);
    } else if (result.code === 'truncated') {
      // An unfinished command is refused once the line has been idle a while.
      this.commandTimer = this.options.clock.setTimer(uartTimeMs(3, configModeBaud) + 20, () => {
        this.commandBytes = emptyBytes;
        this.refuse();
      });
    } else {
      this.commandBytes = emptyBytes;
      this.refuse();
    }
  }

  private refuse(): void {
    this.counters.commandsRefused++;
    this.reply(Uint8Array.of(refusedByte, refusedByte, refusedByte));
  }

  private reply(bytes: Uint8Array): void {
    this.options.clock.setTimer(0, () => this.emit(bytes));
  }

  private execute(command: E22Command): void {
    const { address, length } = command;
    if (command.kind === 'read') {
      let data: Uint8Array;
      if (address >= registerAddress.productInfo) {
        const info = this.options.productInfo ?? Uint8Array.of(0x00, 0x22, 0x0b, 0x00, 0x16, 0x00, 0x00);
        data = info.slice(address - registerAddress.productInfo, address - registerAddress.productInfo + length);
      } else {
        data = this.active.slice(address, address + length);
        // CRYPT_H/L are write-only: they read as 00 (datasheet 7.2).
        for (let i = 0; i < length; i++) if (address + i >= registerAddress.cryptH) data[i] = 0;
      }
      this.counters.commandsAnswered++;
      this.reply(Uint8Array.of(replyHead, address, length, ...data));
      return;
    }
    const next = this.active.slice();
    next.set(command.data, address);
    // A channel beyond the model's band is refused (emulator's choice: the manual gives the range only).
    if (!decodeRegisters(next.subarray(0, configWindowBytes), this.variant).ok) {
      this.refuse();
      return;
    }
    this.active = next;
    if (command.kind === 'write') this.saved = next.slice();
    this.counters.commandsAnswered++;
    this.reply(Uint8Array.of(replyHead, address, length, ...command.data));
  }

  private dataInput(bytes: Uint8Array): void {
    const config = this.activeConfig;
    // Section 7.4: C0 C1 C2 C3 <addr> <len> reads noise / last RSSI when REG1 bit 5 is set.
    if (config.ambientNoiseRssi && this.sendBytes.length === 0 && bytes.length === 6
      && signalReadPrefix.every((b, i) => bytes[i] === b) && bytes[4]! + bytes[5]! <= 2 && bytes[5]! >= 1) {
      const noise = 256 + Math.max(-255, Math.min(-1, Math.round(this.options.noiseDbm ?? -110)));
      const registers = [noise, this.lastRssiByte];
      this.reply(Uint8Array.of(replyHead, bytes[4]!, bytes[5]!, ...registers.slice(bytes[4]!, bytes[4]! + bytes[5]!)));
      return;
    }
    this.sendTimer?.cancel();
    this.sendBytes = concatBytes(this.sendBytes, bytes);
    const fixedHeader = config.fixedPoint ? 3 : 0;
    while (this.sendBytes.length >= config.packetSizeBytes + fixedHeader) {
      this.flushPacket(config.packetSizeBytes + fixedHeader);
    }
    if (this.sendBytes.length > 0) {
      // Section 5.x: a packet also starts when the UART has been idle for 3 byte times.
      this.sendTimer = this.options.clock.setTimer(uartTimeMs(3, config.uartBaud), () => this.flushPacket(this.sendBytes.length));
    }
  }

  private flushPacket(length: number): void {
    const config = this.activeConfig;
    let chunk = this.sendBytes.subarray(0, length);
    this.sendBytes = this.sendBytes.slice(length);
    let target = config.address;
    let channel = config.channel;
    if (config.fixedPoint) {
      if (chunk.length <= 3) return;
      target = (chunk[0]! << 8) | chunk[1]!;
      channel = chunk[2]!;
      chunk = chunk.subarray(3);
    }
    const packet: AirPacket = { channel, netId: config.netId, airRateBps: config.airRateBps, targetAddress: target, payload: chunk.slice() };
    const airtimeMs = timeOnAirMs(e22Modulation[config.airRateBps], packet.payload.length);
    const now = this.options.clock.now();
    const startMs = Math.max(now, this.busyUntilMs);
    this.busyUntilMs = startMs + airtimeMs;
    this.setAux(0);
    this.options.clock.setTimer(startMs - now, () => {
      this.counters.packetsSent++;
      this.options.ether.transmit(this, packet, airtimeMs);
      this.options.clock.setTimer(airtimeMs, () => {
        if (this.options.clock.now() >= this.busyUntilMs) this.setAux(1);
      });
    });
  }

  /** A packet from the ether (EtherNode). */
  receive(packet: AirPacket, rssiDbm: number): void {
    if (this.effectiveMode !== 'normal' && this.effectiveMode !== 'wor') return;
    const config = this.activeConfig;
    if (packet.channel !== config.channel || packet.netId !== config.netId || packet.airRateBps !== config.airRateBps) return;
    // Address 0xFFFF on either side means broadcast / listen to all (datasheet 7.2, ADDH/ADDL).
    if (packet.targetAddress !== config.address && packet.targetAddress !== 0xffff && config.address !== 0xffff) return;
    if (this.options.clock.now() < this.busyUntilMs) {
      this.counters.packetsMissedWhileSending++;
      return;
    }
    this.counters.packetsReceived++;
    const rssiByte = Math.max(0, Math.min(255, 256 + Math.round(rssiDbm)));
    this.lastRssiByte = rssiByte;
    if (this.hostUart().baud !== config.uartBaud) {
      this.counters.bytesLost += packet.payload.length;
      return;
    }
    this.output(config.rssiByte ? concatBytes(packet.payload, Uint8Array.of(rssiByte)) : packet.payload, config.uartBaud);
  }

  /** Received data to the host UART, whole or in timed chunks, always in order. */
  private output(bytes: Uint8Array, baud: number): void {
    const chunkBytes = this.options.uartChunkBytes;
    if (!chunkBytes) {
      this.emit(bytes);
      return;
    }
    for (let at = 0; at < bytes.length; at += chunkBytes) this.uartOut.push(bytes.slice(at, at + chunkBytes));
    if (this.uartPumping) return;
    this.uartPumping = true;
    const pump = (): void => {
      const chunk = this.uartOut.shift();
      if (!chunk) {
        this.uartPumping = false;
        return;
      }
      this.emit(chunk);
      this.options.clock.setTimer(uartTimeMs(chunk.length, baud), pump);
    };
    pump();
  }
}
