/** Errors of the GPIO layer (STYLE.md rule 6): stable `name` and `code`. */
import { HardwareError } from '../errors.ts';
export type GpioErrorCode =
  | 'gpio-unavailable'   // no usable GPIO here (not a Pi, no sysfs, no permission)
  | 'no-header-chip'     // no gpiochip with a known 40-pin-header label was found
  | 'line-out-of-range'  // the BCM number is not a line of the header chip
  | 'pin-busy'           // the line is already opened by this process
  | 'pin-closed';        // the pin was used after close()

export class GpioError extends HardwareError<GpioErrorCode> {
  override readonly name = 'GpioError';
}
