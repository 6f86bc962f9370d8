/**
 * The GPIO boundary (STYLE.md rule 2). The LoRa HAT driver sees only this:
 * the onoff implementation drives real pins through sysfs on a Pi, the fake
 * lets tests (and the E22 emulator) watch and drive pins in one process.
 *
 * Pins are named by their BCM number (the number printed on pinout charts,
 * e.g. M0 = BCM 22 on the Waveshare SX1262 HAT). Translating a BCM number to
 * the kernel's sysfs number is the implementation's business
 * (sysfs-numbering.ts): tests and callers never see the 512 offset.
 *
 * Contract:
 *  - `accessible` is false where this process cannot drive GPIO (no sysfs
 *    GPIO, not a Pi, no permission); output()/input() then reject with
 *    GpioError 'gpio-unavailable'.
 *  - A line is opened once: opening it again before close() rejects with
 *    'pin-busy'.
 *  - output() drives the line to `initial` before it resolves, so a mode pin
 *    never glitches through the other level.
 *  - After close(), read()/write() reject with 'pin-closed'; close() is
 *    idempotent and stops every watcher.
 */
export type PinLevel = 0 | 1;

export interface OutputPin {
  readonly bcm: number;
  write(level: PinLevel): Promise<void>;
  close(): Promise<void>;
}

export interface InputPin {
  readonly bcm: number;
  read(): Promise<PinLevel>;
  /** Calls `onChange` with the new level on every edge; returns a function that stops watching. */
  watch(onChange: (level: PinLevel) => void): () => void;
  close(): Promise<void>;
}

export interface Gpio {
  readonly accessible: boolean;
  output(bcm: number, initial: PinLevel): Promise<OutputPin>;
  input(bcm: number): Promise<InputPin>;
}
