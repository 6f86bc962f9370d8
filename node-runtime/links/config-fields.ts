/**
 * Checks of JSON configuration fields, shared by the link kinds (each one
 * validates its own `links[i]` entry) and the daemon's configuration
 * (apps/meow-node/config.ts), so that every refusal reads the same:
 * `config: links[0].channel must be an integer in 0..83`. The daemon turns a
 * ConfigFieldError into its own ConfigError (exit code 2).
 */
import { NodeRuntimeError } from '../errors.ts';
import type { ErrorFields } from '../../protocol/errors.ts';

export type JsonObject = Record<string, unknown>;

/** A configuration field is missing, misspelt or out of range; `fields.field` names it. */
export class ConfigFieldError extends NodeRuntimeError<'bad-config-field'> {
  override readonly name = 'ConfigFieldError';
  constructor(code: 'bad-config-field', message: string, fields: ErrorFields) {
    super(code, message, fields);
  }
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function check(cond: boolean, field: string, expected: string): void {
  if (!cond) throw new ConfigFieldError('bad-config-field', `config: ${field} must be ${expected}`, { field, expected });
}

export function int(v: unknown, field: string, min: number, max: number): number {
  check(Number.isInteger(v) && (v as number) >= min && (v as number) <= max, field, `an integer in ${min}..${max}`);
  return v as number;
}

export function str(v: unknown, field: string): string {
  check(typeof v === 'string' && v.length > 0, field, 'a non-empty string');
  return v as string;
}

/** A misspelt field ("baud" for "baudRate") must stop the node, not be silently ignored. */
export function onlyKnown(o: JsonObject, field: string, known: readonly string[]): void {
  for (const key of Object.keys(o)) check(known.includes(key), `${field}.${key}`, `one of ${known.join(', ')} (unknown field)`);
}
