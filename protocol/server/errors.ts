/**
 * Relay status codes: one byte on the wire (docs/PROTOCOL.md section
 * "server", table "status codes"), a stable string in code. Numbers never
 * change meaning; new codes are appended.
 */

import { type ErrorDetails, ProtocolError } from '../errors.ts';
export const RELAY_STATUS = {
  ok: 0,
  malformed: 1,
  'too-large': 2,
  'wrong-server': 3,
  'bad-seal': 4,
  'bad-signature': 5,
  replayed: 6,
  'unknown-mailbox': 7,
  'quota-exceeded': 8,
  'rate-limited': 9,
  'stamp-required': 10,
  'bad-stamp': 11,
  stale: 12,
  unauthorized: 13,
  'not-found': 14,
  internal: 15,
  unsupported: 16,
  withdrawn: 17,
} as const;

export type RelayStatusName = keyof typeof RELAY_STATUS;
export type RelayErrorCode = Exclude<RelayStatusName, 'ok'>;

const BY_NUMBER = new Map<number, RelayStatusName>(
  (Object.entries(RELAY_STATUS) as [RelayStatusName, number][]).map(([name, n]) => [n, name]),
);

export function statusName(n: number): RelayStatusName | undefined {
  return BY_NUMBER.get(n);
}

/**
 * A refusal by the relay, as seen by a client (or raised inside the core
 * and turned into a response). `code` is the stable wire name.
 */
export class RelayError extends ProtocolError<RelayErrorCode> {
  override readonly name = 'RelayError';
  /** The refusal's text as the wire carries it, without the "code: " prefix the message shows people. */
  readonly detail: string;
  constructor(code: RelayErrorCode, detail: string) {
    super(code, `${code}: ${detail}`, { detail });
    this.detail = detail;
  }
}

/** Programmer misuse of the relay codecs (bad argument to an encoder). */
export class RelayUsageError extends ProtocolError<'relay-usage'> {
  override readonly name = 'RelayUsageError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('relay-usage', message, details.fields, details);
  }
}
