/**
 * Regional limits a HAT configuration must respect (pure). The E22 sets a
 * channel (1 MHz steps from 850.125 / 410.125 MHz) and a conducted power;
 * what the law limits is the radiated power (ERP or EIRP) and the band, so
 * the antenna gain enters the check.
 *
 *   region  band (MHz)        limit                            source
 *   EU868   863-870           25 mW ERP (14 dBm ERP), 1 % duty  ERC Rec 70-03 annex 1 (h1.4) / ETSI EN 300 220
 *           869.40-869.65     500 mW ERP (27 dBm ERP), 10 %     ERC Rec 70-03 annex 1 (h1.6)
 *   EU433   433.05-434.79     10 mW ERP (10 dBm ERP)            ERC Rec 70-03 annex 1 (f1.3)
 *   US915   902-928           30 dBm conducted, 36 dBm EIRP     FCC 47 CFR 15.247 (needs hopping or >= 500 kHz
 *                                                               bandwidth: a single fixed LoRa channel may not qualify)
 *
 * ERP = conducted power + antenna gain (dBi) - 2.15. E22 channel centres sit
 * at .125 MHz: none falls in 869.40-869.65 MHz, so the 10 % / 500 mW
 * sub-band is out of reach of these modules and EU868 means 25 mW ERP.
 * The signal must fit the band: centre +- bandwidth / 2.
 */
import { e22Modulation } from './air-rate.ts';
import { channelFrequencyKhz, type E22Config, type E22Variant } from './registers.ts';

export type RegionName = 'EU868' | 'EU433' | 'US915';

interface SubBand {
  readonly lowKhz: number;
  readonly highKhz: number;
  /** Radiated limit in dBm ERP (EU) or EIRP (US). */
  readonly maxRadiatedDbm: number;
  readonly radiated: 'ERP' | 'EIRP';
  /** Conducted limit where the rule has one. */
  readonly maxConductedDbm?: number;
}

export const regions: Readonly<Record<RegionName, readonly SubBand[]>> = {
  EU868: [
    { lowKhz: 869_400, highKhz: 869_650, maxRadiatedDbm: 27, radiated: 'ERP' },
    { lowKhz: 863_000, highKhz: 870_000, maxRadiatedDbm: 14, radiated: 'ERP' },
  ],
  EU433: [{ lowKhz: 433_050, highKhz: 434_790, maxRadiatedDbm: 10, radiated: 'ERP' }],
  US915: [{ lowKhz: 902_000, highKhz: 928_000, maxRadiatedDbm: 36, radiated: 'EIRP', maxConductedDbm: 30 }],
};

export interface RegulatoryCheck {
  readonly ok: boolean;
  readonly frequencyKhz: number;
  /** Radiated power with the given antenna, dBm (ERP or EIRP per the matching rule). */
  readonly radiatedDbm: number;
  readonly problems: readonly string[];
}

/** Checks a configuration against a region; `antennaGainDbi` defaults to a 2.15 dBi dipole (0 dBd). */
export function checkRegulatory(region: RegionName, variant: E22Variant, config: E22Config, antennaGainDbi = 2.15): RegulatoryCheck {
  const frequencyKhz = channelFrequencyKhz(variant, config.channel);
  const halfBandwidthKhz = e22Modulation[config.airRateBps].bandwidthHz / 2000;
  const lowKhz = frequencyKhz - halfBandwidthKhz;
  const highKhz = frequencyKhz + halfBandwidthKhz;
  const band = regions[region].find((b) => lowKhz >= b.lowKhz && highKhz <= b.highKhz);
  const problems: string[] = [];
  if (!band) {
    const ranges = regions[region].map((b) => `${b.lowKhz / 1000}-${b.highKhz / 1000}`).join(', ');
    problems.push(`channel ${config.channel} (${frequencyKhz / 1000} MHz +- ${halfBandwidthKhz} kHz) is outside ${region} (${ranges} MHz)`);
    return { ok: false, frequencyKhz, radiatedDbm: Number.NaN, problems };
  }
  const radiatedDbm = config.txPowerDbm + antennaGainDbi - (band.radiated === 'ERP' ? 2.15 : 0);
  if (radiatedDbm > band.maxRadiatedDbm + 1e-9) {
    problems.push(`${config.txPowerDbm} dBm with a ${antennaGainDbi} dBi antenna is ${radiatedDbm.toFixed(2)} dBm ${band.radiated}, over ${region}'s ${band.maxRadiatedDbm} dBm ${band.radiated}`);
  }
  if (band.maxConductedDbm !== undefined && config.txPowerDbm > band.maxConductedDbm) {
    problems.push(`${config.txPowerDbm} dBm conducted is over ${region}'s ${band.maxConductedDbm} dBm`);
  }
  return { ok: problems.length === 0, frequencyKhz, radiatedDbm, problems };
}
