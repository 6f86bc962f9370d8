import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PATH_LOSS, demodulationFloorFor, linkNormalDeviate, noiseFloorDbm, nominalRangeM, pathLossDb,
} from '../../hardware/radio-sim/propagation.ts';

const sensitivity = JSON.parse(readFileSync(new URL('./vectors/semtech-lora-sensitivity.json', import.meta.url), 'utf8')) as
  Record<string, Record<string, number>>;

describe('propagation model', () => {
  for (const bw of ['125000', '250000']) {
    for (const [sf, datasheetDbm] of Object.entries(sensitivity[bw] ?? {})) {
      it(`reproduces the datasheet sensitivity at SF${sf} / ${Number(bw) / 1000} kHz (${datasheetDbm} dBm) within 1.5 dB`, () => {
        const modelDbm = noiseFloorDbm(Number(bw), 6) + demodulationFloorFor(Number(sf));
        expect(Math.abs(modelDbm - datasheetDbm)).toBeLessThanOrEqual(1.5);
      });
    }
  }

  it('is optimistic by at most 3 dB at 500 kHz (documented)', () => {
    for (const [sf, datasheetDbm] of Object.entries(sensitivity['500000'] ?? {})) {
      const modelDbm = noiseFloorDbm(500_000, 6) + demodulationFloorFor(Number(sf));
      expect(modelDbm - datasheetDbm).toBeLessThanOrEqual(0.5);
      expect(datasheetDbm - modelDbm).toBeLessThanOrEqual(3);
    }
  });

  it('uses the SX1261/2 table 6-1 floors and refuses unknown SFs', () => {
    expect([5, 6, 7, 8, 9, 10, 11, 12].map(demodulationFloorFor)).toEqual([-2.5, -5, -7.5, -10, -12.5, -15, -17.5, -20]);
    expect(() => demodulationFloorFor(13)).toThrow(RangeError);
  });

  it('computes log-distance path loss and its inverse', () => {
    // Free space at 868 MHz, 1 m: 20 log10(4 pi f / c) = 31.2 dB.
    expect(20 * Math.log10((4 * Math.PI * 868e6) / 299_792_458)).toBeCloseTo(DEFAULT_PATH_LOSS.referenceLossDb, 1);
    expect(pathLossDb(DEFAULT_PATH_LOSS, 100)).toBeCloseTo(31.2 + 60, 9);
    expect(pathLossDb(DEFAULT_PATH_LOSS, 0.2)).toBe(31.2); // under 1 m counts as 1 m
    const range = nominalRangeM(DEFAULT_PATH_LOSS, 14, -131.5);
    expect(14 - pathLossDb(DEFAULT_PATH_LOSS, range)).toBeCloseTo(-131.5, 9);
  });

  it('draws standard normal shadowing per unordered pair', () => {
    const xs: number[] = [];
    for (let i = 0; i < 20_000; i++) xs.push(linkNormalDeviate(42, `a${i}`, `b${i}`));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(linkNormalDeviate(42, 'x', 'y')).toBe(linkNormalDeviate(42, 'y', 'x'));
    expect(linkNormalDeviate(42, 'x', 'y')).not.toBe(linkNormalDeviate(43, 'x', 'y'));
  });
});
