/**
 * Errors of the links layer (STYLE.md rule 6). LinkClosedError and
 * FrameTooLargeError live beside the Link interface (link.ts); these are the
 * ones the concrete links add. All have a stable `name` and `code`.
 */
export class LinkConfigError extends Error {
  override readonly name = 'LinkConfigError';
  readonly code = 'link-config';
}

/** A link could not start (socket bind, first port open with `requireOpen`). */
export class LinkStartError extends Error {
  override readonly name = 'LinkStartError';
  readonly code = 'link-start';
}
