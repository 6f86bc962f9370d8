/** Errors of the simulated clock and radio medium (programmer misuse only). */
export type SimErrorCode =
  | 'invalid-delay'
  | 'time-backwards'
  | 'unknown-node'
  | 'duplicate-node'
  | 'already-transmitting'
  | 'invalid-option'
  | 'invalid-topology';

export class SimClockError extends Error {
  override readonly name = 'SimClockError';
  constructor(readonly code: SimErrorCode, message: string) {
    super(message);
  }
}

export class RadioMediumError extends Error {
  override readonly name = 'RadioMediumError';
  constructor(readonly code: SimErrorCode, message: string) {
    super(message);
  }
}

export class TopologyError extends Error {
  override readonly name = 'TopologyError';
  readonly code = 'invalid-topology';
  constructor(message: string, readonly path: string) {
    super(`${path}: ${message}`);
  }
}
