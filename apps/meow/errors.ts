/** CLI failures carry their exit code: 2 for bad input or usage, 1 for a runtime failure. */
import { AppError } from '../errors.ts';

export type CliErrorCode = 'usage' | 'bad-input' | 'runtime';

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_BAD_INPUT = 2;

export class CliError extends AppError<CliErrorCode> {
  override readonly name = 'CliError';

  /**
   * Two spellings, both in use: `new CliError('usage', message)` and
   * `new CliError(message, EXIT_RUNTIME)` (exit 1 means 'runtime', 2 'bad-input').
   */
  constructor(code: CliErrorCode, message: string);
  constructor(message: string, exitCode: number);
  constructor(a: string, b: string | number) {
    if (typeof b === 'number') super(b === EXIT_RUNTIME ? 'runtime' : 'bad-input', a);
    else super(a as CliErrorCode, b);
  }

  get exitCode(): number {
    return this.code === 'runtime' ? EXIT_RUNTIME : EXIT_BAD_INPUT;
  }
}

export const usage = (message: string): CliError => new CliError('usage', message);
export const badInput = (message: string): CliError => new CliError('bad-input', message);
export const runtimeFailure = (message: string): CliError => new CliError('runtime', message);
