/**
 * Card errors. Hostile bytes never throw: decoders return a DecodeResult,
 * and the answer check adds one refusal of its own, 'foreign'. CardError
 * is thrown only for programmer misuse (an encoder given bad arguments).
 */
import { ProtocolError } from '../errors.ts';
import type { DecodeError, DecodeOk } from '../codec/result.ts';

export type CardErrorCode =
  | 'bad-url'            // a server URL failed parseServerUrl
  | 'too-many-servers'   // more than MAX_CARD_SERVERS
  | 'duplicate-server'   // the same URL twice
  | 'key-mismatch'       // the signing secret does not belong to the card's Ckp
  | 'bad-key';           // a public key that a decoder would refuse

export class CardError extends ProtocolError<CardErrorCode> {
  override readonly name = 'CardError';
}

/** An answer card that is valid in itself but answers another invite. */
export interface ForeignCard {
  readonly ok: false;
  readonly code: 'foreign';
  readonly offset: number;
  readonly message: string;
}

export type CardCheckResult<T> = DecodeOk<T> | DecodeError | ForeignCard;
