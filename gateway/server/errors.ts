/** Errors of the relay server (stable `name` and `code`); the client's transport error is in gateway/client/errors.ts. */
import { GatewayError } from '../errors.ts';
import type { ErrorDetails } from '../../protocol/errors.ts';

export { RelayError, RelayUsageError } from '../../protocol/server/errors.ts';

/** The relay's configuration is invalid (bad port, unreadable TLS files, bad URL). */
export class RelayConfigError extends GatewayError<'relay-config'> {
  override readonly name = 'RelayConfigError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('relay-config', message, details.fields, details);
  }
}
