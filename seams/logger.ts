/**
 * Structured logging, injected like the clock. Contract: callers pass a
 * short message and fields, never key material (docs/THREAT-MODEL.md); an
 * implementation never throws into its caller.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
