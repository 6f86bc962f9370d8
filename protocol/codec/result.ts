/**
 * Decoders never throw on hostile bytes (STYLE.md rule 4): they return a
 * DecodeResult that is either the value or the first error, with the byte
 * offset where decoding stopped. Throwing is reserved for programmer misuse.
 */

/** Why a decoder refused its input. Stable strings: callers branch on them. */
export type DecodeErrorCode =
  | 'truncated'        // input ended before a field was complete
  | 'trailing-bytes'   // bytes left over after a complete value
  | 'too-long'         // a length field or the whole input exceeds its cap
  | 'bad-version'      // unknown protocol version
  | 'bad-kind'         // unknown type/kind byte
  | 'bad-value'        // a field holds a value outside its domain
  | 'bad-signature'    // a signature did not verify
  | 'bad-mac'          // an AEAD tag or MAC did not verify
  | 'bad-key'          // a public key is invalid (e.g. low-order X25519 point)
  | 'bad-encoding'     // text armour, base64 or UTF-8 is malformed
  | 'bad-checksum';    // a checksum over an armoured form did not match

export interface DecodeError {
  readonly ok: false;
  readonly code: DecodeErrorCode;
  /** Byte offset in the input where the problem was found. */
  readonly offset: number;
  /** Human readable detail, never containing key material. */
  readonly message: string;
}

export interface DecodeOk<T> {
  readonly ok: true;
  readonly value: T;
}

export type DecodeResult<T> = DecodeOk<T> | DecodeError;

export function ok<T>(value: T): DecodeOk<T> {
  return { ok: true, value };
}

export function fail(code: DecodeErrorCode, offset: number, message: string): DecodeError {
  return { ok: false, code, offset, message };
}

/** Renders an error for logs and CLI output. */
export function describeError(e: DecodeError): string {
  return `${e.code} at byte ${e.offset}: ${e.message}`;
}
