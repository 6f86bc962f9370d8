/**
 * Errors thrown by envelope encoders for programmer misuse (STYLE.md rule 6).
 * Hostile bytes never throw: decoders return a DecodeResult instead.
 */
export type EnvelopeErrorCode =
  | 'bad-argument'      // a field has the wrong length or is out of range
  | 'content-too-long'; // the envelope would exceed its cap

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
  constructor(readonly code: EnvelopeErrorCode, message: string) {
    super(message);
  }
}
