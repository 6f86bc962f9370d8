/** A refusal of the local API: its code is one of seams/local-api.ts, its status comes from API_ERROR_STATUS. */
import { AppError } from '../../errors.ts';
import type { ApiErrorCode } from '../../../seams/local-api.ts';

export class LocalApiError extends AppError<ApiErrorCode> {
  override readonly name = 'LocalApiError';
}
