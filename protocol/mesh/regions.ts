/**
 * Regional band plans: how much a node may transmit, by law, where it is.
 * Pure data and arithmetic; node-runtime/scheduler/duty-cycle.ts enforces it.
 *
 * EU868: ETSI EN 300 220-2 V3.2.1 (2018-04), table B.1 (the "non-specific
 * SRD" bands of CEPT ERC/REC 70-03 annex 1). Duty cycle is counted over any
 * one hour, per sub-band. Letters are the standard's; the g/g1/g2/g3/g4 names
 * are those of the older EN 300 220 V2 that LoRaWAN documents still use.
 *   K 863.0-865.0 MHz  0.1 %  25 mW e.r.p.
 *   L 865.0-868.0 MHz  1 %    25 mW   (g)
 *   M 868.0-868.6 MHz  1 %    25 mW   (g1; LoRaWAN's 868.1/868.3/868.5)
 *   N 868.7-869.2 MHz  0.1 %  25 mW   (g2)
 *   P 869.4-869.65 MHz 10 %   500 mW  (g3; Meshtastic's 869.525 MHz)
 *   Q 869.7-870.0 MHz  1 %    25 mW   (g4)
 * The gaps (868.6-868.7, 869.2-869.4, 869.65-869.7) are alarm bands: not ours.
 *
 * US915: FCC 47 CFR 15.247 in 902-928 MHz, 30 dBm conducted. A frequency
 * hopping system with a 20 dB bandwidth under 250 kHz may occupy one channel
 * at most 0.4 s in any 20 s (15.247(a)(1)(i)); at 250 kHz or more, 0.4 s in
 * any 10 s. LoRaWAN (RP002 US902-928) also caps one frame at 400 ms. A
 * digitally modulated system of 500 kHz or more (15.247(a)(2)) has no dwell
 * limit, so only the 400 ms frame cap is kept there.
 *
 * "none": no legal limit (bench tests, cables, the simulator's defaults).
 */

export type RegionId = 'EU868' | 'US915' | 'none';

export interface SubBand {
  /** EN 300 220-2 V3.2.1 band letter (or the region's own name). */
  readonly name: string;
  /** Older name (EN 300 220 V2 / LoRaWAN), where there is one. */
  readonly legacyName?: string;
  readonly lowHz: number;
  readonly highHz: number;
  /** Largest fraction of time on air in any `dutyCycleWindowMs`: 0.01 is 1 %, 1 is unlimited. */
  readonly dutyCycle: number;
  readonly maxPowerDbm: number;
}

export interface RegionPlan {
  readonly id: RegionId;
  readonly subBands: readonly SubBand[];
  /** Sliding window over which duty cycle is counted (one hour in Europe). */
  readonly dutyCycleWindowMs: number;
  /** Longest single transmission, ms (US915: 400). */
  readonly maxFrameAirtimeMs?: number;
  /** Per-channel dwell: at most `dwellBudgetMs` on air in any `dwellWindowMs` (by bandwidth, see header). */
  readonly dwell?: (bandwidthHz: number) => { dwellBudgetMs: number; dwellWindowMs: number } | undefined;
  /** The frequency a node uses unless told otherwise. */
  readonly defaultFrequencyHz: number;
}

const HOUR_MS = 3_600_000;

export const REGIONS: Readonly<Record<RegionId, RegionPlan>> = {
  EU868: {
    id: 'EU868',
    dutyCycleWindowMs: HOUR_MS,
    defaultFrequencyHz: 869_525_000,
    subBands: [
      { name: 'K', lowHz: 863_000_000, highHz: 865_000_000, dutyCycle: 0.001, maxPowerDbm: 14 },
      { name: 'L', legacyName: 'g', lowHz: 865_000_000, highHz: 868_000_000, dutyCycle: 0.01, maxPowerDbm: 14 },
      { name: 'M', legacyName: 'g1', lowHz: 868_000_000, highHz: 868_600_000, dutyCycle: 0.01, maxPowerDbm: 14 },
      { name: 'N', legacyName: 'g2', lowHz: 868_700_000, highHz: 869_200_000, dutyCycle: 0.001, maxPowerDbm: 14 },
      { name: 'P', legacyName: 'g3', lowHz: 869_400_000, highHz: 869_650_000, dutyCycle: 0.1, maxPowerDbm: 27 },
      { name: 'Q', legacyName: 'g4', lowHz: 869_700_000, highHz: 870_000_000, dutyCycle: 0.01, maxPowerDbm: 14 },
    ],
  },
  US915: {
    id: 'US915',
    dutyCycleWindowMs: HOUR_MS,
    defaultFrequencyHz: 906_875_000,
    maxFrameAirtimeMs: 400,
    dwell: (bandwidthHz) => {
      if (bandwidthHz >= 500_000) return undefined;
      return { dwellBudgetMs: 400, dwellWindowMs: bandwidthHz >= 250_000 ? 10_000 : 20_000 };
    },
    subBands: [{ name: 'ISM 902-928', lowHz: 902_000_000, highHz: 928_000_000, dutyCycle: 1, maxPowerDbm: 30 }],
  },
  none: {
    id: 'none',
    dutyCycleWindowMs: HOUR_MS,
    defaultFrequencyHz: 869_525_000,
    subBands: [{ name: 'unregulated', lowHz: 0, highHz: Number.MAX_SAFE_INTEGER, dutyCycle: 1, maxPowerDbm: 30 }],
  },
};

/** One sliding-window budget: at most `budgetMs` on air in any `windowMs`. */
export interface AirtimeBudget {
  readonly label: string;
  readonly budgetMs: number;
  readonly windowMs: number;
}

/** What a transmitter on one channel must respect. */
export interface TransmitLimits {
  readonly region: RegionId;
  readonly subBand: SubBand;
  readonly budgets: readonly AirtimeBudget[];
  readonly maxFrameAirtimeMs?: number;
}

export type TransmitLimitsResult =
  | { ok: true; limits: TransmitLimits }
  | { ok: false; code: 'outside-region' | 'straddles-sub-band'; message: string };

/**
 * The limits for a channel centred on `frequencyHz`, `bandwidthHz` wide:
 * the whole channel must fit inside one sub-band (ETSI counts the occupied
 * bandwidth, so 869.525 MHz at 250 kHz, 869.4-869.65, just fits in P).
 */
export function transmitLimitsFor(region: RegionId, frequencyHz: number, bandwidthHz: number): TransmitLimitsResult {
  const plan = REGIONS[region];
  const lowHz = frequencyHz - bandwidthHz / 2;
  const highHz = frequencyHz + bandwidthHz / 2;
  const band = plan.subBands.find((b) => frequencyHz >= b.lowHz && frequencyHz <= b.highHz);
  if (!band) return { ok: false, code: 'outside-region', message: `${frequencyHz} Hz is in no ${region} sub-band we may use` };
  if (lowHz < band.lowHz || highHz > band.highHz) {
    return { ok: false, code: 'straddles-sub-band', message: `${bandwidthHz} Hz at ${frequencyHz} Hz leaves sub-band ${band.name}` };
  }
  const budgets: AirtimeBudget[] = [];
  if (band.dutyCycle < 1) {
    budgets.push({
      label: `duty cycle ${band.dutyCycle * 100} % (${region} ${band.name})`,
      budgetMs: band.dutyCycle * plan.dutyCycleWindowMs,
      windowMs: plan.dutyCycleWindowMs,
    });
  }
  const dwell = plan.dwell?.(bandwidthHz);
  if (dwell) budgets.push({ label: `dwell time (${region})`, budgetMs: dwell.dwellBudgetMs, windowMs: dwell.dwellWindowMs });
  const limits: TransmitLimits = {
    region, subBand: band, budgets, ...(plan.maxFrameAirtimeMs !== undefined && { maxFrameAirtimeMs: plan.maxFrameAirtimeMs }),
  };
  return { ok: true, limits };
}
