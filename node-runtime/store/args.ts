/**
 * Argument checks at the store's public edge (STYLE.md rule 5). Each throws
 * StoreArgumentError naming the argument, so a caller's bug surfaces at the
 * call, not as a strange row in the database.
 */
import { StoreArgumentError } from './errors.ts';
import { STORE_LIMITS } from '../../seams/store.ts';

export function checkBytes(label: string, value: unknown, minBytes: number, maxBytes: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new StoreArgumentError(`${label} must be a Uint8Array`);
  if (value.length < minBytes || value.length > maxBytes) {
    throw new StoreArgumentError(`${label} must be ${minBytes} to ${maxBytes} bytes, got ${value.length}`);
  }
  return value;
}

export function checkId(label: string, value: unknown): Uint8Array {
  return checkBytes(label, value, STORE_LIMITS.idMinBytes, STORE_LIMITS.idMaxBytes);
}

export function checkTag(value: unknown): Uint8Array {
  return checkBytes('tag', value, STORE_LIMITS.tagMinBytes, STORE_LIMITS.tagMaxBytes);
}

export function checkPayload(label: string, value: unknown): Uint8Array {
  // An empty message is allowed: a probe or an ack may carry nothing.
  return checkBytes(label, value, 0, STORE_LIMITS.messageMaxBytes);
}

export function checkName(label: string, value: unknown, maxChars: number = STORE_LIMITS.nameMaxChars): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxChars) {
    throw new StoreArgumentError(`${label} must be a string of 1 to ${maxChars} characters`);
  }
  return value;
}

/**
 * A time in ms on the injected clock's scale (a simulated clock may start at
 * 0 and have fractions): finite, non-negative, stored as whole ms (floor).
 */
export function checkTime(label: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) {
    throw new StoreArgumentError(`${label} must be a non-negative number of milliseconds, got ${String(value)}`);
  }
  return Math.floor(value);
}

export function checkInteger(label: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new StoreArgumentError(`${label} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** A positive quota or duration from the options; `fallback` when absent. */
export function checkOption(label: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  return checkInteger(label, value, min, Number.MAX_SAFE_INTEGER);
}

/** Page sizes and batch limits: 1 to 10,000, so that one call never loads a whole store into memory. */
export const maxPageItems = 10_000;

export function checkLimit(value: unknown): number {
  return checkInteger('limit', value, 1, maxPageItems);
}
