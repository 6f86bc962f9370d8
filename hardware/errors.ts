/** Base of the device drivers' and emulators' errors (E22 module, GPIO, simulated radio). */
import { MeowError } from '../protocol/errors.ts';

export class HardwareError<Code extends string = string> extends MeowError<Code> {}
