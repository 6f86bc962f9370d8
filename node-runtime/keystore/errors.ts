/** Key file errors: a stable `name` and `code` the CLI maps to exit codes and clear messages. */

import { NodeRuntimeError } from '../errors.ts';
export type KeystoreErrorCode =
  | 'wrong-passphrase'   // the AEAD tag did not verify: wrong passphrase (or a damaged file)
  | 'wrong-identity'     // a contact file sealed under another identity (Ukp)
  | 'bad-file'           // not a Meow key file, malformed, or parameters out of bounds
  | 'wrong-kind'         // an identity file where a contact file is expected, or the reverse
  | 'exists'             // refusing to overwrite an existing file
  | 'no-passphrase'      // no passphrase given and --no-passphrase not chosen
  | 'passphrase-needed'; // the file is encrypted but no passphrase was given

export class KeystoreError extends NodeRuntimeError<KeystoreErrorCode> {
  override readonly name = 'KeystoreError';
}
