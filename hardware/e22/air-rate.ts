/**
 * Modulation class behind each E22 air rate, for time on air. The module
 * hides its spreading factor and bandwidth (DESIGN.md section 5), so these
 * are estimates: at each nominal rate the 125 kHz LoRa setting with the
 * highest bit rate not above it (CR 4/5: Rb = SF x 0.8 x BW / 2^SF), and
 * above 9.6 kbps, where 125 kHz falls short, the same rule at 250/500 kHz.
 * 2.4 kbps is the project's E22_AIR_2K4 (SF9 / 125 kHz, 1758 bit/s). The
 * estimate errs on the slow side, which keeps duty-cycle budgets safe.
 *
 *   air rate   0.3k   1.2k   2.4k   4.8k   9.6k   19.2k   38.4k   62.5k
 *   SF / kHz   12/125 10/125 9/125  8/125  6/125  6/250   6/500   5/500
 *   LoRa bit/s 293    977    1758   3125   9375   18750   37500   62500
 */
import { E22_AIR_2K4, type LoRaModulation } from '../../protocol/mesh/airtime.ts';
import type { AirRateBps } from './registers.ts';

function lora(spreadingFactor: number, bandwidthHz: number): LoRaModulation {
  return { spreadingFactor, bandwidthHz, codingRate: 1, preambleSymbols: 8, explicitHeader: true, crc: true };
}

export const e22Modulation: Readonly<Record<AirRateBps, LoRaModulation>> = {
  300: lora(12, 125_000),
  1200: lora(10, 125_000),
  2400: E22_AIR_2K4,
  4800: lora(8, 125_000),
  9600: lora(6, 125_000),
  19200: lora(6, 250_000),
  38400: lora(6, 500_000),
  62500: lora(5, 500_000),
};

/** Time for `bytes` bytes on a UART at `baud` 8N1 (10 bits per byte), in ms. */
export function uartTimeMs(bytes: number, baud: number): number {
  return (bytes * 10 * 1000) / baud;
}
