/**
 * The RNode firmware's host commands (RNode_Firmware, "Framing.h" and the
 * host side in Reticulum's RNodeInterface): KISS frames (FEND cmd data
 * FEND, node-runtime/links/framing/) whose command byte is the firmware's
 * own number. Pure: bytes in, typed values out.
 *
 *   cmd   name          host -> device            device -> host
 *   0x00  DATA          packet to send            packet received (after STAT_RSSI, STAT_SNR)
 *   0x01  FREQUENCY     u32 BE Hz                 u32 BE Hz now set (the echo)
 *   0x02  BANDWIDTH     u32 BE Hz                 u32 BE Hz now set
 *   0x03  TXPOWER       u8 dBm                    u8 dBm now set
 *   0x04  SF            u8 spreading factor       u8 now set
 *   0x05  CR            u8 coding rate 5..8 (4/5..4/8)  u8 now set
 *   0x06  RADIO_STATE   00 off, 01 on, FF ask     00 / 01
 *   0x08  DETECT        0x73 (DETECT_REQ)         0x46 (DETECT_RESP)
 *   0x0F  READY         -                         ready for the next packet
 *   0x23  STAT_RSSI     -                         u8: dBm = byte - 157 (RSSI_OFFSET)
 *   0x24  STAT_SNR      -                         i8: dB = value * 0.25
 *   0x48  PLATFORM      00 (ask)                  u8 platform (0x80 ESP32, 0x90 AVR, 0x70 nRF52)
 *   0x50  FW_VERSION    00 (ask)                  u8 major, u8 minor
 *   0x90  ERROR         -                         u8 code (01 radio init, 02 TX failed, 04 queue full, ...)
 */
export const RNODE_CMD = {
  data: 0x00, frequency: 0x01, bandwidth: 0x02, txPower: 0x03, spreadingFactor: 0x04, codingRate: 0x05,
  radioState: 0x06, detect: 0x08, ready: 0x0f, statRssi: 0x23, statSnr: 0x24, platform: 0x48, firmwareVersion: 0x50, error: 0x90,
} as const;

export const DETECT_REQ = 0x73;
export const DETECT_RESP = 0x46;
export const RADIO_STATE_OFF = 0x00;
export const RADIO_STATE_ON = 0x01;
export const RADIO_STATE_ASK = 0xff;
/** STAT_RSSI carries dBm + 157 (the firmware's RSSI_OFFSET). */
export const RSSI_OFFSET = 157;

export const RNODE_ERRORS: Readonly<Record<number, string>> = {
  0x01: 'radio initialisation failed', 0x02: 'transmit failed', 0x03: 'EEPROM locked', 0x04: 'packet queue full',
  0x05: 'memory low', 0x06: 'modem timeout',
};

/** One reply the device sent, decoded; `unknown` and `malformed` are data, never thrown. */
export type RNodeReply =
  | { kind: 'data'; bytes: Uint8Array }
  | { kind: 'frequency' | 'bandwidth'; hz: number }
  | { kind: 'tx-power'; dbm: number }
  | { kind: 'spreading-factor' | 'coding-rate'; value: number }
  | { kind: 'radio-state'; on: boolean }
  | { kind: 'detect'; ok: boolean }
  | { kind: 'ready' }
  | { kind: 'rssi'; dbm: number }
  | { kind: 'snr'; db: number }
  | { kind: 'platform'; id: number }
  | { kind: 'firmware-version'; major: number; minor: number }
  | { kind: 'error'; code: number; message: string }
  | { kind: 'unknown'; command: number }
  | { kind: 'malformed'; command: number; reason: string };

const u32 = (data: Uint8Array): number => (((data[0] as number) << 24) >>> 0) + ((data[1] as number) << 16) + ((data[2] as number) << 8) + (data[3] as number);

export function encodeU32(value: number): Uint8Array {
  return Uint8Array.of((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

function need(command: number, data: Uint8Array, length: number): RNodeReply | undefined {
  return data.length < length ? { kind: 'malformed', command, reason: `${data.length} bytes, need ${length}` } : undefined;
}

/** Decodes one KISS frame from the device (its command byte and data). */
export function decodeReply(command: number, data: Uint8Array): RNodeReply {
  switch (command) {
    case RNODE_CMD.data:
      return data.length === 0 ? { kind: 'malformed', command, reason: 'empty packet' } : { kind: 'data', bytes: data };
    case RNODE_CMD.frequency:
      return need(command, data, 4) ?? { kind: 'frequency', hz: u32(data) };
    case RNODE_CMD.bandwidth:
      return need(command, data, 4) ?? { kind: 'bandwidth', hz: u32(data) };
    case RNODE_CMD.txPower:
      return need(command, data, 1) ?? { kind: 'tx-power', dbm: (data[0] as number) << 24 >> 24 };
    case RNODE_CMD.spreadingFactor:
      return need(command, data, 1) ?? { kind: 'spreading-factor', value: data[0] as number };
    case RNODE_CMD.codingRate:
      return need(command, data, 1) ?? { kind: 'coding-rate', value: data[0] as number };
    case RNODE_CMD.radioState:
      return need(command, data, 1) ?? { kind: 'radio-state', on: data[0] === RADIO_STATE_ON };
    case RNODE_CMD.detect:
      return need(command, data, 1) ?? { kind: 'detect', ok: data[0] === DETECT_RESP };
    case RNODE_CMD.ready:
      return { kind: 'ready' };
    case RNODE_CMD.statRssi:
      return need(command, data, 1) ?? { kind: 'rssi', dbm: (data[0] as number) - RSSI_OFFSET };
    case RNODE_CMD.statSnr:
      return need(command, data, 1) ?? { kind: 'snr', db: (((data[0] as number) << 24) >> 24) * 0.25 };
    case RNODE_CMD.platform:
      return need(command, data, 1) ?? { kind: 'platform', id: data[0] as number };
    case RNODE_CMD.firmwareVersion:
      return need(command, data, 2) ?? { kind: 'firmware-version', major: data[0] as number, minor: data[1] as number };
    case RNODE_CMD.error: {
      const code = data[0] ?? 0;
      return need(command, data, 1) ?? { kind: 'error', code, message: RNODE_ERRORS[code] ?? `error 0x${code.toString(16)}` };
    }
    default:
      return { kind: 'unknown', command };
  }
}
