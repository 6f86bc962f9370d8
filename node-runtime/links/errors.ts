/**
 * Errors of the links layer (STYLE.md rule 6). LinkClosedError and
 * FrameTooLargeError live beside the Link interface (link.ts); these are the
 * ones the concrete links add. All have a stable `name` and `code`.
 */
import { NodeRuntimeError } from '../errors.ts';
import type { ErrorDetails } from '../../protocol/errors.ts';
export class LinkConfigError extends NodeRuntimeError<'link-config'> {
  override readonly name = 'LinkConfigError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('link-config', message, details.fields, details);
  }
}

/** A link could not start (socket bind, first port open with `requireOpen`). */
export class LinkStartError extends NodeRuntimeError<'link-start'> {
  override readonly name = 'LinkStartError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('link-start', message, details.fields, details);
  }
}
