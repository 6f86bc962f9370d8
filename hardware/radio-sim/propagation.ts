/**
 * Radio propagation for the simulated medium: a log-distance path-loss
 * model with optional log-normal shadowing, the receiver noise floor, and
 * the LoRa demodulation floor per spreading factor. Together they give
 * RSSI, SNR and therefore range.
 *
 *   PL(d)  = PL(d0) + 10 n log10(d / d0) + X_sigma          [dB], d0 = 1 m
 *   RSSI   = Ptx + Gtx + Grx - PL(d)                         [dBm]
 *   N      = -174 + 10 log10(BW) + NF                        [dBm] (thermal noise at 290 K)
 *   SNR    = RSSI - N                                        [dB]
 *   a frame demodulates when SNR >= demodulation floor(SF)
 *
 * (Rappaport, "Wireless Communications", section 4.9 for the model;
 * Semtech SX1261/2 datasheet, table 6-1 "Range of spreading factors", for
 * the SNR floors.)
 */

/** SNR below which an SX126x cannot demodulate, per spreading factor (SX1261/2 datasheet, table 6-1). */
export const demodulationFloorDb: Readonly<Record<number, number>> = {
  5: -2.5, 6: -5, 7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20,
};

export function demodulationFloorFor(spreadingFactor: number): number {
  const floor = demodulationFloorDb[spreadingFactor];
  if (floor === undefined) throw new RangeError(`no demodulation floor for SF${spreadingFactor}`);
  return floor;
}

export interface PathLossModel {
  /** Path loss at the 1 m reference distance, dB (free space at 868 MHz: 31.2 dB). */
  referenceLossDb: number;
  /** Path-loss exponent n: 2 in free space, about 2.7-3.5 for ground-level LoRa among buildings and trees. */
  exponent: number;
  /** Standard deviation of the log-normal shadowing, dB (0 = none). Drawn once per link. */
  shadowingSigmaDb: number;
}

/**
 * Defaults: free-space loss at 1 m for 868 MHz (20 log10(4 pi d0 f / c) =
 * 31.2 dB) and n = 3.0, between suburban (2.7) and built-up (3.5) ground
 * level figures; no shadowing unless asked for.
 */
export const DEFAULT_PATH_LOSS: PathLossModel = { referenceLossDb: 31.2, exponent: 3.0, shadowingSigmaDb: 0 };

/** Mean path loss at `distanceM` metres (distances under 1 m count as 1 m). */
export function pathLossDb(model: PathLossModel, distanceM: number): number {
  const d = Math.max(1, distanceM);
  return model.referenceLossDb + 10 * model.exponent * Math.log10(d);
}

/** Thermal noise floor plus receiver noise figure, dBm: -174 + 10 log10(BW) + NF. */
export function noiseFloorDbm(bandwidthHz: number, noiseFigureDb: number): number {
  return -174 + 10 * Math.log10(bandwidthHz) + noiseFigureDb;
}

/**
 * Distance (m) at which the mean RSSI falls to the demodulation limit:
 * the nominal range for this link budget, without shadowing.
 */
export function nominalRangeM(model: PathLossModel, txPowerDbm: number, sensitivityDbm: number): number {
  const budgetDb = txPowerDbm - sensitivityDbm - model.referenceLossDb;
  return 10 ** (budgetDb / (10 * model.exponent));
}

/**
 * A standard normal deviate fixed per unordered pair of node ids and per
 * seed, so a link's shadowing is the same in both directions and in every
 * run with that seed, whatever order nodes were added in. It uses a 32-bit
 * integer hash (FNV-1a, then the murmur3 finaliser) rather than the
 * SHA-256 stream because it runs for every pair of nodes in range.
 */
export function linkNormalDeviate(seedWord: number, a: string, b: string): number {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const h1 = mix32(hashString(`${lo}\u0000${hi}`, seedWord));
  const h2 = mix32(h1 ^ 0x9e3779b9);
  // Box-Muller on two uniforms in (0, 1].
  const u1 = (h1 + 1) / 4294967296;
  const u2 = (h2 + 1) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function hashString(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
