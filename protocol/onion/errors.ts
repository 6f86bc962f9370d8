/** Errors of the onion codecs: programmer misuse only (hostile bytes get DecodeResults). */
import { type ErrorDetails, ProtocolError } from '../errors.ts';

export type OnionUsageCode = 'onion-usage';

export class OnionUsageError extends ProtocolError<OnionUsageCode> {
  override readonly name = 'OnionUsageError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('onion-usage', message, details.fields, details);
  }
}
