/** Router errors (STYLE.md rule 6): stable name and code for callers to branch on. */
import { NodeRuntimeError } from '../errors.ts';
export type RouterErrorCode =
  | 'delivery-failed'   // no end-to-end acknowledgement after every attempt
  | 'closed'            // the router was closed
  | 'envelope-too-large'// over the fragmentation cap
  | 'bad-argument'      // programmer misuse (wrong id length, bad option)
  | 'store-refused';    // the RouterStore hook refused an envelope

export class RouterError extends NodeRuntimeError<RouterErrorCode> {
  override readonly name = 'RouterError';
}
