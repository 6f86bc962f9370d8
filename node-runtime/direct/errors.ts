/**
 * Errors of the direct path (node-runtime/direct): stable `name` and `code`
 * (STYLE.md rule 6), so the node's delivery attempt can say why it fell back
 * to the relays.
 */
import { NodeRuntimeError } from '../errors.ts';
import type { ErrorDetails } from '../../protocol/errors.ts';

export type DirectPathCode = 'bad-address' | 'unreachable' | 'refused' | 'endpoint-start';

export class DirectPathError extends NodeRuntimeError<DirectPathCode> {
  override readonly name = 'DirectPathError';
  constructor(code: DirectPathCode, message: string, details: ErrorDetails = {}) {
    super(code, message, details.fields, details);
  }
}
