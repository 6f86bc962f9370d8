/**
 * E22 register block codec: registers 00H-08H <-> E22Config. Pure.
 * Bit layout from the E22-900T22S manual, section 7.2 "Register description":
 *
 *   addr  00     01     02     03             04              05       06              07       08
 *        +------+------+------+--------------+---------------+--------+---------------+--------+--------+
 *        | ADDH | ADDL |NETID | REG0         | REG1          | REG2   | REG3          |CRYPT_H |CRYPT_L |
 *        +------+------+------+--------------+---------------+--------+---------------+--------+--------+
 *   REG0  7-5 UART baud (000 1200 ... 011 9600 ... 111 115200)
 *         4-3 parity (00 8N1, 01 8O1, 10 8E1, 11 8N1)
 *         2-0 air rate (000 0.3k, 001 1.2k, 010 2.4k ... 111 62.5k)
 *   REG1  7-6 sub-packet (00 240, 01 128, 10 64, 11 32 bytes)
 *         5   ambient noise RSSI enable;  4-2 reserved (written 0, ignored on read)
 *         1-0 power (00 22 dBm, 01 17, 10 13, 11 10 on the T22 models)
 *   REG2  channel: frequency = 850.125 MHz + ch (900 series) / 410.125 MHz + ch (400 series)
 *   REG3  7 RSSI byte, 6 fixed-point, 5 relay, 4 LBT, 3 WOR transmitter, 2-0 WOR period (1+n) x 500 ms
 *
 * The crypt key (07H-08H) is write-only: it is encoded when the config
 * carries one (9 bytes), otherwise only 00H-06H are (7 bytes).
 */
import { ByteReader } from '../../protocol/codec/reader.ts';
import { ok, type DecodeResult } from '../../protocol/codec/result.ts';
import { E22Error } from './errors.ts';
import {
  airRatesBps, configWindowBytes, packetSizesBytes, readableConfigBytes, uartBauds, uartParities, worPeriodsMs,
  type E22Config, type E22Variant, type UartParity,
} from './registers.ts';

function indexIn<T>(table: readonly T[], value: T, what: string): number {
  const i = table.indexOf(value);
  if (i < 0) throw new E22Error('bad-config', `${what}: ${String(value)} is not one of ${table.join(', ')}`);
  return i;
}

function checkInt(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new E22Error('bad-config', `${what}: ${value} outside ${min}..${max}`);
  }
  return value;
}

/** Encodes registers 00H-06H, plus 07H-08H when the config carries a crypt key. Throws on misuse. */
export function encodeRegisters(config: E22Config, variant: E22Variant): Uint8Array {
  const address = checkInt(config.address, 0, 0xffff, 'address');
  const netId = checkInt(config.netId, 0, 0xff, 'netId');
  const channel = checkInt(config.channel, 0, variant.maxChannel, `channel (${variant.model})`);
  const reg0 = (indexIn(uartBauds, config.uartBaud, 'uartBaud') << 5)
    | (indexIn(uartParities, config.uartParity, 'uartParity') << 3)
    | indexIn(airRatesBps, config.airRateBps, 'airRateBps');
  const reg1 = (indexIn(packetSizesBytes, config.packetSizeBytes, 'packetSizeBytes') << 6)
    | (config.ambientNoiseRssi ? 0x20 : 0)
    | indexIn(variant.powerLevelsDbm, config.txPowerDbm, `txPowerDbm (${variant.model})`);
  const reg3 = (config.rssiByte ? 0x80 : 0) | (config.fixedPoint ? 0x40 : 0) | (config.relay ? 0x20 : 0)
    | (config.listenBeforeTalk ? 0x10 : 0) | (config.worTransmitter ? 0x08 : 0)
    | indexIn(worPeriodsMs, config.worPeriodMs, 'worPeriodMs');
  const out = new Uint8Array(config.cryptKey === undefined ? readableConfigBytes : configWindowBytes);
  out.set([address >> 8, address & 0xff, netId, reg0, reg1, channel, reg3]);
  if (config.cryptKey !== undefined) {
    const key = checkInt(config.cryptKey, 0, 0xffff, 'cryptKey');
    out[7] = key >> 8;
    out[8] = key & 0xff;
  }
  return out;
}

/**
 * Decodes registers 00H-06H (7 bytes) or 00H-08H (9 bytes, the crypt bytes
 * are ignored: they read back as zero). Never throws on hostile bytes.
 */
export function decodeRegisters(bytes: Uint8Array, variant: E22Variant): DecodeResult<E22Config> {
  const r = new ByteReader(bytes);
  if (bytes.length > configWindowBytes) return r.reject('too-long', `register block of ${bytes.length} bytes, at most ${configWindowBytes}`);
  const address = r.u16('ADDH:ADDL');
  const netId = r.u8('NETID');
  const reg0 = r.u8('REG0');
  const reg1 = r.u8('REG1');
  const channelAt = r.offset;
  const channel = r.u8('REG2');
  const reg3 = r.u8('REG3');
  if (r.failed) return r.error!;
  if (bytes.length !== readableConfigBytes && bytes.length !== configWindowBytes) {
    r.bytes(r.remaining);
    return r.reject('truncated', `register block of ${bytes.length} bytes: expected ${readableConfigBytes} or ${configWindowBytes}`);
  }
  if (channel > variant.maxChannel) {
    return { ok: false, code: 'bad-value', offset: channelAt, message: `channel ${channel} above ${variant.maxChannel} (${variant.model})` };
  }
  // Parity 11 means 8N1, like 00 (datasheet 7.2 REG0 bits 4-3).
  const parity: UartParity = uartParities[(reg0 >> 3) & 3] ?? '8N1';
  return ok({
    address, netId,
    uartBaud: uartBauds[reg0 >> 5]!,
    uartParity: parity,
    airRateBps: airRatesBps[reg0 & 7]!,
    packetSizeBytes: packetSizesBytes[reg1 >> 6]!,
    ambientNoiseRssi: (reg1 & 0x20) !== 0,
    txPowerDbm: variant.powerLevelsDbm[reg1 & 3]!,
    channel,
    rssiByte: (reg3 & 0x80) !== 0,
    fixedPoint: (reg3 & 0x40) !== 0,
    relay: (reg3 & 0x20) !== 0,
    listenBeforeTalk: (reg3 & 0x10) !== 0,
    worTransmitter: (reg3 & 0x08) !== 0,
    worPeriodMs: worPeriodsMs[reg3 & 7]!,
  });
}
