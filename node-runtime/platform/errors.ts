/** Misuse of the simulated clock (a NaN delay, running it backwards): programmer errors, thrown. */
import { NodeRuntimeError } from '../errors.ts';

export type SimClockErrorCode = 'invalid-delay' | 'time-backwards';

export class SimClockError extends NodeRuntimeError<SimClockErrorCode> {
  override readonly name = 'SimClockError';
}
