/** Errors of the relay server and its clients (stable `name` and `code`). */
export { RelayError, RelayUsageError } from '../../protocol/server/errors.ts';

/** A door or client could not talk to the relay at all (socket closed, timeout, HTTP status without a relay frame). */
export class RelayTransportError extends Error {
  override readonly name = 'RelayTransportError';
  readonly code = 'relay-transport';
}

/** The relay's configuration is invalid (bad port, unreadable TLS files, bad URL). */
export class RelayConfigError extends Error {
  override readonly name = 'RelayConfigError';
  readonly code = 'relay-config';
}
