/**
 * Misuse of the key helpers (fingerprint.ts, node-id.ts): thrown, never
 * returned, because only a programming error passes a key of the wrong
 * length. Keys that arrive from outside are checked with validate.ts.
 */
import { ProtocolError } from '../errors.ts';
export type KeyErrorCode = 'bad-key-length';

export class KeyError extends ProtocolError<KeyErrorCode> {
  override readonly name = 'KeyError';
}
