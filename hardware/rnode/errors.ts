/** Errors of the RNode driver and emulator (STYLE.md rule 6). */
import { HardwareError } from '../errors.ts';
import type { ErrorDetails } from '../../protocol/errors.ts';

export type RNodeErrorCode = 'bad-config' | 'no-answer' | 'not-an-rnode' | 'setting-refused' | 'device-error' | 'closed';

export class RNodeError extends HardwareError<RNodeErrorCode> {
  override readonly name = 'RNodeError';
  constructor(code: RNodeErrorCode, message: string, details: ErrorDetails = {}) {
    super(code, message, details.fields, details);
  }
}
