/**
 * Session errors (STYLE.md rule 6). Two families:
 *   - OpenError: why an incoming envelope was discarded. Hostile bytes are
 *     data, so open() returns these instead of throwing.
 *   - SessionError: programmer misuse or a state that forbids the call
 *     (counter exhausted, bad argument), thrown.
 */
import type { DecodeErrorCode } from '../codec/result.ts';

export type OpenErrorCode =
  | DecodeErrorCode
  /** An authentic message already accepted, or older than the replay window. */
  | 'replay'
  /** The envelope is addressed to a mailbox tag this session does not (or no longer) own. */
  | 'unknown-mailbox'
  /** Authentic, but past its expiry (broadcast, presence). */
  | 'expired'
  /** No key is known for the sender key id (broadcast, group, sensor). */
  | 'unknown-sender';

export interface OpenError {
  readonly ok: false;
  readonly code: OpenErrorCode;
  readonly offset: number;
  readonly message: string;
}

export type OpenResult<T> = { readonly ok: true; readonly value: T } | OpenError;

export function openFail(code: OpenErrorCode, offset: number, message: string): OpenError {
  return { ok: false, code, offset, message };
}

export type SessionErrorCode =
  | 'bad-argument'        // wrong key length, a low-order key, identical contact keys
  | 'counter-exhausted'   // 2^24 messages in one epoch: rotate the Ekp first
  | 'content-too-long';   // the envelope would exceed 4 KiB

export class SessionError extends Error {
  override readonly name = 'SessionError';
  constructor(readonly code: SessionErrorCode, message: string) {
    super(message);
  }
}
