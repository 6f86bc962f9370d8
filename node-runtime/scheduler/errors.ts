/** Errors of the transmit scheduler (configuration mistakes and misuse only). */
export type SchedulerErrorCode = 'invalid-region' | 'invalid-option' | 'frame-too-large' | 'scheduler-closed';

export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';
  constructor(readonly code: SchedulerErrorCode, message: string) {
    super(message);
  }
}
