/** Router errors (STYLE.md rule 6): stable name and code for callers to branch on. */
export type RouterErrorCode =
  | 'delivery-failed'   // no end-to-end acknowledgement after every attempt
  | 'closed'            // the router was closed
  | 'envelope-too-large'// over the fragmentation cap
  | 'bad-argument'      // programmer misuse (wrong id length, bad option)
  | 'store-refused';    // the RouterStore hook refused an envelope

export class RouterError extends Error {
  override readonly name = 'RouterError';
  constructor(readonly code: RouterErrorCode, message: string) {
    super(message);
  }
}
