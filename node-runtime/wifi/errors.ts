/** Errors of the node's Wi-Fi access point configuration (STYLE.md rule 6). */
import { NodeRuntimeError } from '../errors.ts';

/** A `wifi` block that would put something broken (or injected) into /etc; `fields.field` names the field. */
export class WifiConfigError extends NodeRuntimeError<'bad-wifi-config'> {
  override readonly name = 'WifiConfigError';
  constructor(message: string, fields: { field: string; expected: string }) {
    super('bad-wifi-config', message, fields);
  }
}
