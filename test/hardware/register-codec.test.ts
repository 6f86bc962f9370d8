import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { decodeRegisters, encodeRegisters } from '../../hardware/e22/register-codec.ts';
import {
  E22_400T22S, E22_900T22S, E22_900T30S, airRatesBps, channelFrequencyKhz, defaultConfig, e22Variants, packetSizesBytes,
  rssiByteToDbm, uartBauds, worPeriodsMs, type E22Config, type E22Variant,
} from '../../hardware/e22/registers.ts';
import { E22Error } from '../../hardware/e22/errors.ts';

interface Vectors {
  factoryDefaults: Array<{ model: string; registers: string; frequencyKhz: number }>;
}
const vectors = JSON.parse(readFileSync(new URL('./vectors/e22-registers.json', import.meta.url), 'utf8')) as Vectors;

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  if (!bytes) throw new Error(`bad hex ${text}`);
  return bytes;
}

function arbitraryConfig(variant: E22Variant): fc.Arbitrary<E22Config> {
  return fc.record({
    address: fc.integer({ min: 0, max: 0xffff }),
    netId: fc.integer({ min: 0, max: 0xff }),
    uartBaud: fc.constantFrom(...uartBauds),
    uartParity: fc.constantFrom('8N1' as const, '8O1' as const, '8E1' as const),
    airRateBps: fc.constantFrom(...airRatesBps),
    packetSizeBytes: fc.constantFrom(...packetSizesBytes),
    ambientNoiseRssi: fc.boolean(),
    txPowerDbm: fc.constantFrom(...variant.powerLevelsDbm),
    channel: fc.integer({ min: 0, max: variant.maxChannel }),
    rssiByte: fc.boolean(),
    fixedPoint: fc.boolean(),
    relay: fc.boolean(),
    listenBeforeTalk: fc.boolean(),
    worTransmitter: fc.boolean(),
    worPeriodMs: fc.constantFrom(...worPeriodsMs),
  });
}

describe('E22 register codec', () => {
  it('encodes the factory defaults to the datasheet block, per model', () => {
    for (const v of vectors.factoryDefaults) {
      const variant = e22Variants[v.model]!;
      const config = defaultConfig(variant);
      expect(toHex(encodeRegisters(config, variant))).toBe(v.registers);
      const decoded = decodeRegisters(hex(v.registers), variant);
      expect(decoded).toEqual({ ok: true, value: config });
      expect(channelFrequencyKhz(variant, config.channel)).toBe(v.frequencyKhz);
    }
  });

  it('decodes the defaults field by field', () => {
    const decoded = decodeRegisters(hex('00000062001203'), E22_900T22S);
    expect(decoded.ok && decoded.value).toEqual({
      address: 0, netId: 0, uartBaud: 9600, uartParity: '8N1', airRateBps: 2400, packetSizeBytes: 240,
      ambientNoiseRssi: false, txPowerDbm: 22, channel: 18, rssiByte: false, fixedPoint: false, relay: false,
      listenBeforeTalk: false, worTransmitter: false, worPeriodMs: 2000,
    });
  });

  it('puts every field at its datasheet bits', () => {
    const base = defaultConfig(E22_900T22S);
    const cases: Array<[Partial<E22Config>, string]> = [
      [{ address: 0x1234 }, '12340062001203'],
      [{ address: 0xffff, netId: 0xab }, 'ffffab62001203'],
      [{ uartBaud: 115200 }, '000000e2001203'],
      [{ uartBaud: 1200 }, '00000002001203'],
      [{ uartParity: '8O1' }, '0000006a001203'],
      [{ uartParity: '8E1' }, '00000072001203'],
      [{ airRateBps: 300 }, '00000060001203'],
      [{ airRateBps: 62500 }, '00000067001203'],
      [{ packetSizeBytes: 128 }, '00000062401203'],
      [{ packetSizeBytes: 32 }, '00000062c01203'],
      [{ ambientNoiseRssi: true }, '00000062201203'],
      [{ txPowerDbm: 17 }, '00000062011203'],
      [{ txPowerDbm: 10 }, '00000062031203'],
      [{ channel: 0 }, '00000062000003'],
      [{ channel: 80 }, '00000062005003'],
      [{ rssiByte: true }, '00000062001283'],
      [{ fixedPoint: true }, '00000062001243'],
      [{ relay: true }, '00000062001223'],
      [{ listenBeforeTalk: true }, '00000062001213'],
      [{ worTransmitter: true }, '0000006200120b'],
      [{ worPeriodMs: 500 }, '00000062001200'],
      [{ worPeriodMs: 4000 }, '00000062001207'],
    ];
    for (const [change, expected] of cases) {
      expect(toHex(encodeRegisters({ ...base, ...change }, E22_900T22S)), JSON.stringify(change)).toBe(expected);
    }
    // The 1 W model maps the same bits to 30/27/24/21 dBm.
    expect(toHex(encodeRegisters({ ...defaultConfig(E22_900T30S), txPowerDbm: 24 }, E22_900T30S))).toBe('00000062021203');
  });

  it('writes the crypt key only when given (write-only registers 07H-08H)', () => {
    const config = { ...defaultConfig(E22_900T22S), cryptKey: 0xbeef };
    expect(toHex(encodeRegisters(config, E22_900T22S))).toBe('00000062001203beef');
    const decoded = decodeRegisters(hex('000000620012030000'), E22_900T22S);
    expect(decoded.ok && 'cryptKey' in decoded.value).toBe(false);
  });

  it('reads parity 11 as 8N1 and ignores the reserved REG1 bits (datasheet 7.2)', () => {
    const decoded = decodeRegisters(hex('0000007a1c1203'), E22_900T22S);
    expect(decoded.ok && decoded.value.uartParity).toBe('8N1');
    expect(decoded.ok && decoded.value.txPowerDbm).toBe(22);
  });

  it('refuses a channel beyond the model and odd block lengths, with offsets', () => {
    expect(decodeRegisters(hex('00000062005103'), E22_900T22S)).toMatchObject({ ok: false, code: 'bad-value', offset: 5 });
    expect(decodeRegisters(hex('00000062005303'), E22_400T22S)).toMatchObject({ ok: true });
    expect(decodeRegisters(hex('00000062005403'), E22_400T22S)).toMatchObject({ ok: false, code: 'bad-value' });
    expect(decodeRegisters(hex('000000620012'), E22_900T22S)).toMatchObject({ ok: false, code: 'truncated', offset: 6 });
    expect(decodeRegisters(hex('0000006200120300'), E22_900T22S)).toMatchObject({ ok: false, code: 'truncated' });
    expect(decodeRegisters(hex('00000062001203000000'), E22_900T22S)).toMatchObject({ ok: false, code: 'too-long' });
  });

  it('throws E22Error bad-config on misuse', () => {
    const base = defaultConfig(E22_900T22S);
    for (const bad of [{ channel: 81 }, { txPowerDbm: 20 }, { address: 0x10000 }, { netId: -1 }, { uartBaud: 14400 }, { cryptKey: 0x1ffff }]) {
      expect(() => encodeRegisters({ ...base, ...bad } as E22Config, E22_900T22S)).toThrow(E22Error);
    }
  });

  it('maps channels and RSSI bytes per datasheet', () => {
    expect(channelFrequencyKhz(E22_900T22S, 0)).toBe(850_125);
    expect(channelFrequencyKhz(E22_900T22S, 80)).toBe(930_125);
    expect(channelFrequencyKhz(E22_400T22S, 83)).toBe(493_125);
    expect(rssiByteToDbm(0xc4)).toBe(-60);
    expect(rssiByteToDbm(0)).toBe(-256);
  });

  it('round-trips every field (property)', () => {
    for (const variant of [E22_900T22S, E22_400T22S, E22_900T30S]) {
      fc.assert(fc.property(arbitraryConfig(variant), (config) => {
        const decoded = decodeRegisters(encodeRegisters(config, variant), variant);
        expect(decoded).toEqual({ ok: true, value: config });
      }), { numRuns: 2000 });
    }
  });

  it('never throws on 100k hostile blocks and re-encodes what it accepts to the canonical bytes', () => {
    const rng = fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 12 }), fc.uint8Array({ minLength: 7, maxLength: 7 }), fc.uint8Array({ minLength: 9, maxLength: 9 }));
    let accepted = 0;
    fc.assert(fc.property(rng, (bytes) => {
      const decoded = decodeRegisters(bytes, E22_900T22S);
      if (!decoded.ok) {
        if (decoded.offset < 0 || decoded.offset > bytes.length) throw new Error(`offset ${decoded.offset} outside ${toHex(bytes)}`);
        return;
      }
      accepted++;
      const again = encodeRegisters(decoded.value, E22_900T22S);
      // Canonical form: reserved REG1 bits cleared, parity 11 written as 00.
      const canonical = bytes.slice(0, 7);
      canonical[3] = canonical[3]! & 0xe7 | (((canonical[3]! >> 3) & 3) === 3 ? 0 : canonical[3]! & 0x18);
      canonical[4] = canonical[4]! & 0xe3;
      if (toHex(again) !== toHex(canonical)) throw new Error(`${toHex(bytes)} re-encodes to ${toHex(again)}`);
    }), { numRuns: 100_000 });
    expect(accepted).toBeGreaterThan(1000);
  });
});
