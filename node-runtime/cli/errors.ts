/** CLI failures carry their exit code: 2 for bad input or usage, 1 for a runtime failure. */

export type CliErrorCode = 'usage' | 'bad-input' | 'runtime';

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_BAD_INPUT = 2;

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(readonly code: CliErrorCode, message: string) {
    super(message);
  }

  get exitCode(): number {
    return this.code === 'runtime' ? EXIT_RUNTIME : EXIT_BAD_INPUT;
  }
}

export const usage = (message: string): CliError => new CliError('usage', message);
export const badInput = (message: string): CliError => new CliError('bad-input', message);
