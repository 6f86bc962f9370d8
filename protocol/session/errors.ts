/**
 * Session errors (STYLE.md rule 6). Two families:
 *   - OpenError: why an incoming envelope was discarded. Hostile bytes are
 *     data, so open() returns these instead of throwing.
 *   - SessionError: programmer misuse or a state that forbids the call
 *     (counter exhausted, bad argument), thrown.
 */
import { ProtocolError } from '../errors.ts';
export { type OpenError, type OpenErrorCode, type OpenResult, openFail } from '../envelope/errors.ts';

export type SessionErrorCode =
  | 'bad-argument'        // wrong key length, a low-order key, identical contact keys
  | 'counter-exhausted'   // 2^24 messages in one epoch: rotate the Ekp first
  | 'content-too-long';   // the envelope would exceed 4 KiB

export class SessionError extends ProtocolError<SessionErrorCode> {
  override readonly name = 'SessionError';
}
