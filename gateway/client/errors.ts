/** Errors of the relay client (stable `name` and `code`); the relay's refusals are protocol's RelayError. */
import type { ErrorDetails } from '../../protocol/errors.ts';
import { GatewayError } from '../errors.ts';

/** The client could not talk to the relay at all (socket closed, timeout, HTTP status without a relay frame, unknown URL scheme). */
export class RelayTransportError extends GatewayError<'relay-transport'> {
  override readonly name = 'RelayTransportError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('relay-transport', message, details.fields, details);
  }
}
