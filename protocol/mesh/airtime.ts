/**
 * LoRa time on air, by the formula of Semtech AN1200.13 ("LoRa Modem
 * Designer's Guide", section 4):
 *   Tsym = 2^SF / BW
 *   Npayload = 8 + max(ceil((8PL - 4SF + 28 + 16CRC - 20IH) / (4(SF - 2DE))) * (CR + 4), 0)
 *   ToA = (Npreamble + 4.25 + Npayload) * Tsym
 * with DE (low data rate optimisation) on when Tsym >= 16 ms.
 */
export interface LoRaModulation {
  /** Spreading factor 6..12. */
  spreadingFactor: number;
  /** Bandwidth in Hz (125000, 250000, 500000, ...). */
  bandwidthHz: number;
  /** Coding rate denominator minus 4: 1 for 4/5 ... 4 for 4/8. */
  codingRate: number;
  /** Preamble symbols (8 by default on SX126x). */
  preambleSymbols: number;
  /** Explicit header (true is the LoRaWAN and Meshtastic default). */
  explicitHeader: boolean;
  /** Payload CRC on. */
  crc: boolean;
  /** Force low data rate optimisation; by default on when Tsym >= 16 ms. */
  lowDataRateOptimize?: boolean;
}

export function symbolTimeMs(m: LoRaModulation): number {
  return (2 ** m.spreadingFactor / m.bandwidthHz) * 1000;
}

export function payloadSymbols(m: LoRaModulation, payloadBytes: number): number {
  const tsym = symbolTimeMs(m);
  const de = (m.lowDataRateOptimize ?? tsym >= 16) ? 1 : 0;
  const ih = m.explicitHeader ? 0 : 1;
  const crc = m.crc ? 1 : 0;
  const sf = m.spreadingFactor;
  const numerator = 8 * payloadBytes - 4 * sf + 28 + 16 * crc - 20 * ih;
  const denominator = 4 * (sf - 2 * de);
  return 8 + Math.max(Math.ceil(numerator / denominator) * (m.codingRate + 4), 0);
}

/** Time on air of one LoRa packet of `payloadBytes` bytes, in milliseconds. */
export function timeOnAirMs(m: LoRaModulation, payloadBytes: number): number {
  return (m.preambleSymbols + 4.25 + payloadSymbols(m, payloadBytes)) * symbolTimeMs(m);
}

/**
 * Meshtastic's default "LongFast" preset (SF11, 250 kHz, CR 4/5, 16-symbol
 * preamble): the simulator's default, so figures compare with field reports.
 */
export const LONG_FAST: LoRaModulation = {
  spreadingFactor: 11, bandwidthHz: 250_000, codingRate: 1, preambleSymbols: 16, explicitHeader: true, crc: true,
};

/**
 * The UART HAT's default air rate of 2.4 kbps (E22 register 03h) hides its
 * modulation; Ebyte documents 2.4k as SF9 / 125 kHz / CR 4/5 class timing.
 */
export const E22_AIR_2K4: LoRaModulation = {
  spreadingFactor: 9, bandwidthHz: 125_000, codingRate: 1, preambleSymbols: 8, explicitHeader: true, crc: true,
};
