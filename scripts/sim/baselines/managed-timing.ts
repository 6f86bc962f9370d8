/**
 * The timing of the flooding baselines (flood-baseline.ts): how long a relay
 * waits before its rebroadcast and how long a managed-flood sender waits for
 * an ack. Meshtastic firmware RadioInterface getTxDelayMsecWeighted: a relay
 * waits 2 * CWmax * slot + random(0, 2^CW) * slot, CW mapped linearly from
 * SNR -20..+10 dB onto 3..8, so weak (far) receivers go first.
 */
import type { RandomSource } from '../../../protocol/random.ts';
import { uniformUnit } from '../../../node-runtime/scheduler/backoff.ts';

const CW_MIN = 3;
const CW_MAX = 8;

export interface FloodTiming {
  /** Wait before rebroadcasting a frame of `airtimeMs` heard at `snrDb`. */
  relayDelayMs(airtimeMs: number, snrDb: number | undefined): number;
  /** How long a managed-flood sender waits for the ack of a frame of `airtimeMs`. */
  ackTimeoutMs(airtimeMs: number, hopLimit: number): number;
}

export function floodTiming(managed: boolean, symbolTimeMs: number, random: RandomSource): FloodTiming {
  // Meshtastic slot: CAD (2.5 symbols) + propagation, turnaround and MAC processing (0.2 + 0.4 + 7 ms).
  const slotMs = 2.5 * symbolTimeMs + 7.6;
  return {
    relayDelayMs(airtimeMs, snrDb) {
      // naive flooding: a random jitter of up to one frame time.
      if (!managed) return uniformUnit(random) * airtimeMs;
      const snr = Math.min(10, Math.max(-20, snrDb ?? 10));
      const cw = Math.round(CW_MIN + ((snr + 20) / 30) * (CW_MAX - CW_MIN));
      return 2 * CW_MAX * slotMs + Math.floor(uniformUnit(random) * 2 ** cw) * slotMs;
    },
    ackTimeoutMs(airtimeMs, hopLimit) {
      const maxDelay = (2 * CW_MAX + 2 ** CW_MAX) * slotMs;
      return 2 * hopLimit * (airtimeMs + maxDelay / 2) + 3000;
    },
  };
}
