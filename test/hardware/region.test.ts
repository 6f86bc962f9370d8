import { describe, expect, it } from 'vitest';
import { checkRegulatory } from '../../hardware/e22/region.ts';
import { defaultConfig, E22_400T22S, E22_900T22S, E22_900T30S } from '../../hardware/e22/registers.ts';

describe('regional limits', () => {
  const eu = { ...defaultConfig(E22_900T22S) };

  it('EU868: the factory 868.125 MHz is in band but 22 dBm is over 25 mW ERP; 13 dBm with a dipole passes', () => {
    const factory = checkRegulatory('EU868', E22_900T22S, eu);
    expect(factory.frequencyKhz).toBe(868_125);
    expect(factory.ok).toBe(false);
    expect(factory.radiatedDbm).toBeCloseTo(22, 9);
    expect(factory.problems[0]).toContain('over EU868');
    expect(checkRegulatory('EU868', E22_900T22S, { ...eu, txPowerDbm: 13 }).ok).toBe(true);
    // A 5 dBi antenna adds 2.85 dB ERP: 13 dBm becomes 15.85 dBm ERP, too much; 10 dBm is fine.
    expect(checkRegulatory('EU868', E22_900T22S, { ...eu, txPowerDbm: 13 }, 5).ok).toBe(false);
    expect(checkRegulatory('EU868', E22_900T22S, { ...eu, txPowerDbm: 10 }, 5).ok).toBe(true);
  });

  it('EU868: channels 13..19 (863.125-869.125 MHz) only, bandwidth inside the band', () => {
    const ok = (channel: number, airRateBps: 2400 | 62500 = 2400) =>
      checkRegulatory('EU868', E22_900T22S, { ...eu, txPowerDbm: 10, channel, airRateBps }).ok;
    expect([12, 13, 19, 20].map((c) => ok(c))).toEqual([false, true, true, false]);
    // 863.125 MHz +- 250 kHz at the widest class (62.5k: 500 kHz) starts below 863 MHz.
    expect(ok(13, 62500)).toBe(false);
  });

  it('US915: 902-928 MHz and 30 dBm conducted (the 1 W module at full power passes, nothing above)', () => {
    const us = { ...defaultConfig(E22_900T30S), channel: 65 };
    expect(checkRegulatory('US915', E22_900T30S, us).ok).toBe(true);
    expect(checkRegulatory('US915', E22_900T30S, us, 8).ok).toBe(false);
    expect(checkRegulatory('US915', E22_900T30S, { ...us, channel: 18 }).ok).toBe(false);
  });

  it('EU433: 433.125 MHz at 10 dBm with a dipole passes, 13 dBm does not', () => {
    const c = { ...defaultConfig(E22_400T22S), txPowerDbm: 10 };
    expect(checkRegulatory('EU433', E22_400T22S, c)).toMatchObject({ ok: true, frequencyKhz: 433_125 });
    expect(checkRegulatory('EU433', E22_400T22S, { ...c, txPowerDbm: 13 }).ok).toBe(false);
    expect(checkRegulatory('EU433', E22_400T22S, { ...c, channel: 25 }).ok).toBe(false);
  });
});
