/**
 * An emulated RNode radio, built from the firmware's documented host
 * commands (commands.ts), on the device side of a serialport mock port:
 * the host (the driver through a KissPort) opens a SerialPortMock as usual;
 * attach() sees what it writes and answers with binding.emitData.
 *
 * What it models: DETECT, FW_VERSION and PLATFORM answers; FREQUENCY,
 * BANDWIDTH, TXPOWER, SF, CR each echoed with the value set, the power
 * clamped to the board's maximum (`maxTxPowerDbm`, as the firmware does for
 * its PA); RADIO_STATE on fails with ERROR 01 (radio init) when a setting
 * is missing; DATA sent on the air (air.ts) when the radio is on, else
 * ERROR 02 (TX failed); received packets as STAT_RSSI, STAT_SNR, DATA
 * (RSSI + 157 in one byte, SNR x 4 as a signed byte).
 * Faults for `meow doctor` and its tests: `silent` answers nothing,
 * `garbage` answers every frame with bytes that are no KISS frame.
 * The KISS framing is injected (node-runtime/links/framing/ in tests), so
 * this device folder holds no second copy of it.
 */
import type { Deframer } from '../../seams/deframer.ts';
import type { AirRadio, RNodeAir } from './air.ts';
import { DETECT_REQ, DETECT_RESP, encodeU32, RADIO_STATE_ASK, RADIO_STATE_ON, RNODE_CMD, RSSI_OFFSET } from './commands.ts';
import type { RNodeRadioConfig } from './radio-config.ts';

/** The device side of a mock port (serialport's MockBinding port fits it). */
export interface DeviceSide {
  readonly isOpen: boolean;
  write(buffer: Buffer): Promise<void>;
  emitData(data: Buffer): void;
}

export interface KissFraming {
  readonly deframer: Deframer<{ readonly command: number; readonly data: Uint8Array }>;
  encode(command: number, data?: Uint8Array): Uint8Array;
}

export type RNodeFault = 'none' | 'silent' | 'garbage';

export interface RNodeEmulatorOptions {
  readonly name: string;
  readonly air: RNodeAir;
  readonly framing: KissFraming;
  /** Highest power the board's PA gives, dBm (default 17, an SX1276 board). */
  readonly maxTxPowerDbm?: number;
  readonly firmware?: { major: number; minor: number };
  /** PLATFORM byte (default 0x80, ESP32). */
  readonly platform?: number;
  readonly fault?: RNodeFault;
}

export interface RNodeEmulatorStats {
  commandsAnswered: number;
  packetsSent: number;
  packetsReceived: number;
}

type Settings = { -readonly [K in keyof RNodeRadioConfig]?: RNodeRadioConfig[K] };

export class RNodeEmulator implements AirRadio {
  readonly name: string;
  fault: RNodeFault;
  private device: DeviceSide | undefined;
  private restore: (() => void) | undefined;
  private readonly settings: Settings = {};
  private radioOn = false;
  private transmitting = 0;
  private readonly leave: () => void;
  private readonly counters: RNodeEmulatorStats = { commandsAnswered: 0, packetsSent: 0, packetsReceived: 0 };

  constructor(private readonly options: RNodeEmulatorOptions) {
    this.name = options.name;
    this.fault = options.fault ?? 'none';
    this.leave = options.air.join(this);
  }

  attach(device: DeviceSide): void {
    const original = device.write;
    device.write = async (buffer: Buffer): Promise<void> => {
      await original.call(device, buffer);
      this.onHostBytes(new Uint8Array(buffer));
    };
    this.device = device;
    this.restore = () => {
      device.write = original;
    };
  }

  destroy(): void {
    this.restore?.();
    this.leave();
    this.device = undefined;
  }

  tuned(): RNodeRadioConfig | undefined {
    return this.radioOn ? (this.settings as RNodeRadioConfig) : undefined;
  }

  sending(): boolean {
    return this.transmitting > 0;
  }

  stats(): RNodeEmulatorStats {
    return { ...this.counters };
  }

  hear(bytes: Uint8Array, rssiDbm: number, snrDb: number): void {
    this.counters.packetsReceived++;
    const rssiByte = Math.max(0, Math.min(255, Math.round(rssiDbm) + RSSI_OFFSET));
    this.reply(RNODE_CMD.statRssi, Uint8Array.of(rssiByte));
    this.reply(RNODE_CMD.statSnr, Uint8Array.of(Math.round(snrDb * 4) & 0xff));
    this.reply(RNODE_CMD.data, bytes);
  }

  private onHostBytes(bytes: Uint8Array): void {
    if (this.fault === 'silent') return;
    for (const frame of this.options.framing.deframer.push(bytes)) {
      if (this.fault === 'garbage') {
        this.emit(Uint8Array.of(0x13, 0x37, 0xdb, 0x42));
        continue;
      }
      this.handle(frame.command, frame.data);
    }
  }

  private handle(command: number, data: Uint8Array): void {
    const byte = data[0];
    switch (command) {
      case RNODE_CMD.detect:
        if (byte === DETECT_REQ) this.answer(command, Uint8Array.of(DETECT_RESP));
        return;
      case RNODE_CMD.firmwareVersion: {
        const fw = this.options.firmware ?? { major: 1, minor: 82 };
        this.answer(command, Uint8Array.of(fw.major, fw.minor));
        return;
      }
      case RNODE_CMD.platform:
        this.answer(command, Uint8Array.of(this.options.platform ?? 0x80));
        return;
      case RNODE_CMD.frequency:
      case RNODE_CMD.bandwidth:
        if (data.length < 4) return;
        this.settings[command === RNODE_CMD.frequency ? 'frequencyHz' : 'bandwidthHz'] = new DataView(data.buffer, data.byteOffset).getUint32(0);
        this.answer(command, encodeU32(this.settings[command === RNODE_CMD.frequency ? 'frequencyHz' : 'bandwidthHz'] as number));
        return;
      case RNODE_CMD.txPower:
        if (byte === undefined) return;
        this.settings.txPowerDbm = Math.min(byte, this.options.maxTxPowerDbm ?? 17);
        this.answer(command, Uint8Array.of(this.settings.txPowerDbm));
        return;
      case RNODE_CMD.spreadingFactor:
      case RNODE_CMD.codingRate: {
        if (byte === undefined) return;
        const field = command === RNODE_CMD.spreadingFactor ? 'spreadingFactor' : 'codingRate';
        const [low, high] = field === 'spreadingFactor' ? [5, 12] : [5, 8];
        this.settings[field] = Math.max(low, Math.min(high, byte)); // the firmware clamps out-of-range values
        this.answer(command, Uint8Array.of(this.settings[field]));
        return;
      }
      case RNODE_CMD.radioState:
        this.radioState(byte);
        return;
      case RNODE_CMD.data:
        this.transmit(data);
        return;
      default:
        return; // the firmware ignores commands it does not know
    }
  }

  private radioState(byte: number | undefined): void {
    if (byte === RADIO_STATE_ASK) {
      this.answer(RNODE_CMD.radioState, Uint8Array.of(this.radioOn ? 1 : 0));
      return;
    }
    const s = this.settings;
    const complete = s.frequencyHz !== undefined && s.bandwidthHz !== undefined && s.spreadingFactor !== undefined
      && s.codingRate !== undefined && s.txPowerDbm !== undefined;
    if (byte === RADIO_STATE_ON && !complete) {
      this.answer(RNODE_CMD.error, Uint8Array.of(0x01));
      return;
    }
    this.radioOn = byte === RADIO_STATE_ON;
    this.answer(RNODE_CMD.radioState, Uint8Array.of(this.radioOn ? 1 : 0));
  }

  private transmit(data: Uint8Array): void {
    const tuned = this.tuned();
    if (!tuned || data.length === 0) {
      this.answer(RNODE_CMD.error, Uint8Array.of(0x02));
      return;
    }
    this.transmitting++;
    this.counters.packetsSent++;
    this.options.air.transmit(this, tuned, data, () => {
      this.transmitting--;
    });
  }

  private answer(command: number, data: Uint8Array): void {
    this.counters.commandsAnswered++;
    this.reply(command, data);
  }

  private reply(command: number, data: Uint8Array): void {
    this.emit(this.options.framing.encode(command, data));
  }

  private emit(bytes: Uint8Array): void {
    const device = this.device;
    if (device?.isOpen) device.emitData(Buffer.from(bytes));
  }
}
