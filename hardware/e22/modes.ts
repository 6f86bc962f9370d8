/**
 * E22 operating modes and the M0/M1 pins (E22-900T22S manual, section 6
 * "Operating modes", table 6.1), with the Waveshare SX1262 HAT's wiring.
 *
 *   M1 M0   mode
 *    0  0   0 normal (transparent / fixed-point transmission)
 *    0  1   1 wake-on-radio (WOR transmitter or receiver, REG3 bit 3)
 *    1  0   2 configuration (commands C0/C1/C2, UART fixed at 9600 8N1, radio off)
 *    1  1   3 deep sleep
 */
import type { PinLevel } from '../../seams/gpio.ts';

export type E22Mode = 'normal' | 'wor' | 'config' | 'sleep';

export const modePinLevels: Readonly<Record<E22Mode, { readonly m0: PinLevel; readonly m1: PinLevel }>> = {
  normal: { m0: 0, m1: 0 },
  wor: { m0: 1, m1: 0 },
  config: { m0: 0, m1: 1 },
  sleep: { m0: 1, m1: 1 },
};

export function modeFromPins(m0: PinLevel, m1: PinLevel): E22Mode {
  if (m1 === 0) return m0 === 0 ? 'normal' : 'wor';
  return m0 === 0 ? 'config' : 'sleep';
}

/** BCM numbers of the mode pins and the optional AUX (busy) pin. */
export interface E22Pins {
  readonly m0Bcm: number;
  readonly m1Bcm: number;
  /** AUX, high when the module is idle (datasheet 5.x "AUX"). The Waveshare HAT does not wire it to the Pi. */
  readonly auxBcm?: number;
}

/** Waveshare SX1262/SX1268 LoRa HAT: M0 = BCM 22, M1 = BCM 27 (HAT schematic; DESIGN.md section 5). */
export const waveshareHatPins: E22Pins = { m0Bcm: 22, m1Bcm: 27 };

/** UART baud in configuration mode (datasheet 6.x, mode 2: 9600 8N1 whatever REG0 says). */
export const configModeBaud = 9600;

/** After AUX rises, the mode switch completes 2 ms later (datasheet 6.x "mode switching"). */
export const auxSettleMs = 2;

/**
 * Without AUX, how long we wait after changing M0/M1. The datasheet bounds
 * the switch by AUX only; Waveshare's own HAT demo (sx126x.py) sleeps 100 ms,
 * which we keep as the default.
 */
export const defaultModeSettleMs = 100;
