/** Errors of the relay server and its clients (stable `name` and `code`). */
import { GatewayError } from '../errors.ts';
import type { ErrorDetails } from '../../protocol/errors.ts';
export { RelayError, RelayUsageError } from '../../protocol/server/errors.ts';

/** A door or client could not talk to the relay at all (socket closed, timeout, HTTP status without a relay frame). */
export class RelayTransportError extends GatewayError<'relay-transport'> {
  override readonly name = 'RelayTransportError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('relay-transport', message, details.fields, details);
  }
}

/** The relay's configuration is invalid (bad port, unreadable TLS files, bad URL). */
export class RelayConfigError extends GatewayError<'relay-config'> {
  override readonly name = 'RelayConfigError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('relay-config', message, details.fields, details);
  }
}
