/** Errors of the simulated radio medium and its topology files (programmer misuse, or a bad --topology file). */
import { HardwareError } from '../errors.ts';

export type SimErrorCode =
  | 'unknown-node'
  | 'duplicate-node'
  | 'already-transmitting'
  | 'invalid-option'
  | 'invalid-topology';

export class RadioMediumError extends HardwareError<SimErrorCode> {
  override readonly name = 'RadioMediumError';
}

export class TopologyError extends HardwareError<'invalid-topology'> {
  override readonly name = 'TopologyError';
  constructor(message: string, readonly path: string) {
    super('invalid-topology', `${path}: ${message}`, { path });
  }
}
