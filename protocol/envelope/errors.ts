import { ProtocolError } from '../errors.ts';
import type { DecodeErrorCode } from '../codec/result.ts';

/**
 * Why an incoming envelope was discarded after (or while) checking its
 * authenticity. Decoding errors keep their DecodeErrorCode; these add what
 * only a key holder can tell. Returned, never thrown (hostile bytes are data).
 */
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

/**
 * Errors thrown by envelope encoders for programmer misuse (STYLE.md rule 6).
 * Hostile bytes never throw: decoders return a DecodeResult instead.
 */
export type EnvelopeErrorCode =
  | 'bad-argument'      // a field has the wrong length or is out of range
  | 'content-too-long'; // the envelope would exceed its cap

export class EnvelopeError extends ProtocolError<EnvelopeErrorCode> {
  override readonly name = 'EnvelopeError';
}
