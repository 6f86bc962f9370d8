/** Errors of the transmit scheduler (configuration mistakes and misuse only). */
import { NodeRuntimeError } from '../errors.ts';
export type SchedulerErrorCode = 'invalid-region' | 'invalid-option' | 'frame-too-large' | 'scheduler-closed';

export class SchedulerError extends NodeRuntimeError<SchedulerErrorCode> {
  override readonly name = 'SchedulerError';
}
