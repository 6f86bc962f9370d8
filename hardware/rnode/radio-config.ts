/**
 * What an RNode radio is told to use, and its time on air. Unlike the E22
 * HAT, the modulation is known (DESIGN.md section 7), so airtime is the
 * Semtech formula (protocol/mesh/airtime.ts) on the real SF/BW/CR. The
 * firmware fixes the rest: explicit header and CRC on; its preamble is not
 * set over KISS and differs between firmware versions (8 symbols on old
 * ones, a longer minimum on recent ones), so airtime counts 18 symbols and
 * is an upper bound by at most 10 symbols.
 */
import type { LoRaModulation } from '../../protocol/mesh/airtime.ts';
import { RNodeError } from './errors.ts';

export interface RNodeRadioConfig {
  readonly frequencyHz: number;
  readonly bandwidthHz: number;
  /** 5..12 (SX126x), 6..12 (SX127x). */
  readonly spreadingFactor: number;
  /** Coding rate denominator 5..8 (4/5 .. 4/8), as the firmware's CMD_CR takes it. */
  readonly codingRate: number;
  readonly txPowerDbm: number;
}

/** The bandwidths the SX126x/SX127x modems offer, Hz. */
export const rnodeBandwidthsHz = [7_800, 10_400, 15_600, 20_800, 31_250, 41_700, 62_500, 125_000, 250_000, 500_000] as const;
/** Preamble symbols counted for airtime (see the file comment). */
export const rnodePreambleSymbols = 18;

/** Throws RNodeError('bad-config') naming the first field out of the chips' range. */
export function checkRadioConfig(c: RNodeRadioConfig): void {
  const fail = (field: string, expected: string, got: number): never => {
    throw new RNodeError('bad-config', `rnode: ${field} must be ${expected}, got ${got}`, { fields: { field, expected, got } });
  };
  if (!Number.isInteger(c.frequencyHz) || c.frequencyHz < 137_000_000 || c.frequencyHz > 1_020_000_000) fail('frequencyHz', 'an integer in 137000000..1020000000', c.frequencyHz);
  if (!(rnodeBandwidthsHz as readonly number[]).includes(c.bandwidthHz)) fail('bandwidthHz', `one of ${rnodeBandwidthsHz.join(', ')}`, c.bandwidthHz);
  if (!Number.isInteger(c.spreadingFactor) || c.spreadingFactor < 5 || c.spreadingFactor > 12) fail('spreadingFactor', 'an integer in 5..12', c.spreadingFactor);
  if (!Number.isInteger(c.codingRate) || c.codingRate < 5 || c.codingRate > 8) fail('codingRate', 'an integer in 5..8', c.codingRate);
  if (!Number.isInteger(c.txPowerDbm) || c.txPowerDbm < 0 || c.txPowerDbm > 22) fail('txPowerDbm', 'an integer in 0..22', c.txPowerDbm);
}

export function rnodeModulation(c: RNodeRadioConfig): LoRaModulation {
  return {
    spreadingFactor: c.spreadingFactor, bandwidthHz: c.bandwidthHz, codingRate: c.codingRate - 4,
    preambleSymbols: rnodePreambleSymbols, explicitHeader: true, crc: true,
  };
}
