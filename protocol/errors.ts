/**
 * The error root of every layer (STYLE.md rule 6, 18). An error has a stable
 * `name` (its class) and `code` (what a caller branches on), a message for
 * people, and `fields` with the structured facts (a limit, an offset, a
 * path) so that no caller ever parses a message. Fields never hold key
 * material: errors reach logs.
 *
 * Each layer has one base class that extends this one:
 * protocol ProtocolError (here), seams SeamError, hardware HardwareError,
 * node-runtime NodeRuntimeError, gateway GatewayError, apps AppError.
 * Hostile bytes are not errors: decoders return results (codec/result.ts).
 */
export type ErrorFields = Readonly<Record<string, unknown>>;

/** What a fixed-code error takes beside its message: the structured facts and the underlying cause. */
export interface ErrorDetails {
  readonly fields?: ErrorFields;
  readonly cause?: unknown;
}

export class MeowError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly fields: ErrorFields;

  constructor(code: Code, message: string, fields: ErrorFields = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.fields = fields;
  }
}

/** Misuse of a protocol codec or key type, or a protocol-level refusal. */
export class ProtocolError<Code extends string = string> extends MeowError<Code> {}
