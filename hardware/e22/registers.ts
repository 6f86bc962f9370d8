/**
 * E22 UART LoRa module registers, as typed values. Source: Ebyte
 * "E22-900T22S User Manual" (and E22-400T22S, same register map), section 7.2
 * "Register description" and section 7.3 "Factory default parameters".
 * Field layout per register is in register-codec.ts.
 *
 * Register window 00H-08H is read/write (07H-08H CRYPT is write-only and
 * reads back as 00); 80H-86H is the read-only product information.
 */

/** UART baud, REG0 bits 7-5 (datasheet 7.2, REG0). Index = field value. */
export const uartBauds = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;
export type UartBaud = (typeof uartBauds)[number];

/** UART parity, REG0 bits 4-3: 00 8N1, 01 8O1, 10 8E1, 11 8N1 again (datasheet 7.2). */
export const uartParities = ['8N1', '8O1', '8E1'] as const;
export type UartParity = (typeof uartParities)[number];

/** Air data rate in bit/s, REG0 bits 2-0 (datasheet 7.2): 0.3k ... 62.5k, default 2.4k. */
export const airRatesBps = [300, 1200, 2400, 4800, 9600, 19200, 38400, 62500] as const;
export type AirRateBps = (typeof airRatesBps)[number];

/** Sub-packet size, REG1 bits 7-6 (datasheet 7.2): 00 240, 01 128, 10 64, 11 32 bytes. */
export const packetSizesBytes = [240, 128, 64, 32] as const;
export type PacketSizeBytes = (typeof packetSizesBytes)[number];

/** WOR period, REG3 bits 2-0: (1 + field) x 500 ms (datasheet 7.2, REG3). */
export const worPeriodsMs = [500, 1000, 1500, 2000, 2500, 3000, 3500, 4000] as const;
export type WorPeriodMs = (typeof worPeriodsMs)[number];

/**
 * One module model: where its channels start and which powers REG1 bits 1-0
 * select (00 = highest). Frequency = base + channel x 1 MHz (datasheet 7.2,
 * REG2). Kept in kHz so that no float rounding leaks into comparisons.
 */
export interface E22Variant {
  readonly model: string;
  readonly baseFrequencyKhz: number;
  /** Highest valid channel number (REG2). */
  readonly maxChannel: number;
  /** Transmit power for REG1 bits 1-0 = 00, 01, 10, 11. */
  readonly powerLevelsDbm: readonly [number, number, number, number];
  /** Factory default channel (datasheet 7.3). */
  readonly defaultChannel: number;
}

/** Waveshare "SX1262 868M/915M LoRa HAT": 850.125-930.125 MHz, 81 channels, default 868.125 MHz. */
export const E22_900T22S: E22Variant = {
  model: 'E22-900T22S', baseFrequencyKhz: 850_125, maxChannel: 80, powerLevelsDbm: [22, 17, 13, 10], defaultChannel: 0x12,
};

/** Waveshare "SX1268 433M LoRa HAT": 410.125-493.125 MHz, 84 channels, default 433.125 MHz. */
export const E22_400T22S: E22Variant = {
  model: 'E22-400T22S', baseFrequencyKhz: 410_125, maxChannel: 83, powerLevelsDbm: [22, 17, 13, 10], defaultChannel: 0x17,
};

/** 1 W version of the 900 MHz module (same registers, REG1 power 30/27/24/21 dBm). */
export const E22_900T30S: E22Variant = {
  model: 'E22-900T30S', baseFrequencyKhz: 850_125, maxChannel: 80, powerLevelsDbm: [30, 27, 24, 21], defaultChannel: 0x12,
};

export const e22Variants: Readonly<Record<string, E22Variant>> = {
  '900t22s': E22_900T22S, '400t22s': E22_400T22S, '900t30s': E22_900T30S,
};

/** Everything in registers 00H-08H, one typed field per datasheet field. */
export interface E22Config {
  /** ADDH:ADDL, 0..0xFFFF; 0xFFFF is the broadcast-and-monitor address (no address filtering). */
  readonly address: number;
  /** NETID 0..255: modules talk only within one net id. */
  readonly netId: number;
  readonly uartBaud: UartBaud;
  readonly uartParity: UartParity;
  readonly airRateBps: AirRateBps;
  readonly packetSizeBytes: PacketSizeBytes;
  /** REG1 bit 5: allow the C0 C1 C2 C3 noise / last-RSSI read in normal mode. */
  readonly ambientNoiseRssi: boolean;
  /** One of the variant's powerLevelsDbm. */
  readonly txPowerDbm: number;
  /** REG2, 0..variant.maxChannel. */
  readonly channel: number;
  /** REG3 bit 7: the module appends one RSSI byte to every packet it outputs. */
  readonly rssiByte: boolean;
  /** REG3 bit 6: fixed-point transmission (first 3 bytes = target address and channel). */
  readonly fixedPoint: boolean;
  /** REG3 bit 5: the module repeats packets for other net ids (relay function). */
  readonly relay: boolean;
  /** REG3 bit 4: listen before talk. */
  readonly listenBeforeTalk: boolean;
  /** REG3 bit 3: 1 = WOR transmitter, 0 = WOR receiver. */
  readonly worTransmitter: boolean;
  readonly worPeriodMs: WorPeriodMs;
  /**
   * CRYPT_H:CRYPT_L (07H-08H). Write-only: the module reads them back as
   * 00 00, so a decoded config never carries it; when absent on write, the
   * key registers are left untouched.
   */
  readonly cryptKey?: number;
}

/** Factory defaults (datasheet 7.3): 00 00 00 62 00 <ch> 03 00 00. */
export function defaultConfig(variant: E22Variant = E22_900T22S): E22Config {
  return {
    address: 0, netId: 0, uartBaud: 9600, uartParity: '8N1', airRateBps: 2400,
    packetSizeBytes: 240, ambientNoiseRssi: false, txPowerDbm: variant.powerLevelsDbm[0], channel: variant.defaultChannel,
    rssiByte: false, fixedPoint: false, relay: false, listenBeforeTalk: false, worTransmitter: false, worPeriodMs: 2000,
  };
}

/** Centre frequency of a channel in kHz: 850.125 MHz + ch (900 series), 410.125 MHz + ch (400 series). */
export function channelFrequencyKhz(variant: E22Variant, channel: number): number {
  return variant.baseFrequencyKhz + channel * 1000;
}

/** RSSI byte to dBm (datasheet 7.2 REG3 bit 7 and section 7.4): dBm = -(256 - byte). */
export function rssiByteToDbm(byte: number): number {
  return -(256 - byte);
}

/** Register addresses (datasheet 7.2). */
export const registerAddress = {
  addh: 0x00, addl: 0x01, netId: 0x02, reg0: 0x03, reg1: 0x04, reg2: 0x05, reg3: 0x06, cryptH: 0x07, cryptL: 0x08,
  productInfo: 0x80,
} as const;

/** Registers 00H-08H. */
export const configWindowBytes = 9;
/** Registers 00H-06H: everything readable (the crypt key is write-only). */
export const readableConfigBytes = 7;
/** Registers 80H-86H. */
export const productInfoBytes = 7;
