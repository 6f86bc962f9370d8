/**
 * Is an RNode's channel and power lawful in the node's region? The same
 * table as the E22 HAT's (hardware/e22/region.ts: ERC Rec 70-03, FCC
 * 15.247), applied to a frequency and bandwidth the RNode states openly.
 * Returns the problems, empty when lawful; region 'none' checks nothing.
 */
import { regions, type RegionName } from '../../../hardware/e22/region.ts';
import type { RNodeRadioConfig } from '../../../hardware/rnode/radio-config.ts';

export function rnodeRegionProblems(region: string, radio: RNodeRadioConfig, antennaGainDbi = 2.15): string[] {
  if (region === 'none' || region === '') return [];
  const bands = regions[region as RegionName];
  if (!bands) return [`unknown region ${region} (use ${Object.keys(regions).join(', ')} or none)`];
  const lowKhz = (radio.frequencyHz - radio.bandwidthHz / 2) / 1000;
  const highKhz = (radio.frequencyHz + radio.bandwidthHz / 2) / 1000;
  const band = bands.find((b) => lowKhz >= b.lowKhz && highKhz <= b.highKhz);
  if (!band) {
    return [`${radio.frequencyHz / 1e6} MHz +- ${radio.bandwidthHz / 2000} kHz is outside ${region} (${bands.map((b) => `${b.lowKhz / 1000}-${b.highKhz / 1000}`).join(', ')} MHz)`];
  }
  const radiated = radio.txPowerDbm + antennaGainDbi - (band.radiated === 'ERP' ? 2.15 : 0);
  const problems: string[] = [];
  if (radiated > band.maxRadiatedDbm + 1e-9) problems.push(`${radio.txPowerDbm} dBm is ${radiated.toFixed(2)} dBm ${band.radiated}, over ${region}'s ${band.maxRadiatedDbm} dBm`);
  if (band.maxConductedDbm !== undefined && radio.txPowerDbm > band.maxConductedDbm) problems.push(`${radio.txPowerDbm} dBm conducted is over ${region}'s ${band.maxConductedDbm} dBm`);
  return problems;
}
