/** Short labelled checks of request fields (STYLE.md rule 5): a wrong field is a 400 that names it. */
import { LocalApiError } from './errors.ts';

function record(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new LocalApiError('bad-request', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

export function requireString(body: unknown, field: string, allowEmpty = false): string {
  const v = record(body)[field];
  if (typeof v !== 'string' || (!allowEmpty && v.length === 0)) throw new LocalApiError('bad-request', `"${field}" (a string) is required`, { field });
  return v;
}

export function optionalString(body: unknown, field: string): string | undefined {
  const v = record(body)[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new LocalApiError('bad-request', `"${field}" must be a string`, { field });
  return v;
}

export function optionalBoolean(body: unknown, field: string): boolean | undefined {
  const v = record(body)[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new LocalApiError('bad-request', `"${field}" must be true or false`, { field });
  return v;
}

export function optionalStrings(body: unknown, field: string): string[] | undefined {
  const v = record(body)[field];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new LocalApiError('bad-request', `"${field}" must be a list of strings`, { field });
  return v as string[];
}

export function hexField(body: unknown, field: string, bytes?: number): Uint8Array {
  const v = requireString(body, field);
  if (!/^([0-9a-f]{2})+$/.test(v) || (bytes !== undefined && v.length !== 2 * bytes)) {
    throw new LocalApiError('bad-request', `"${field}" must be lowercase hex${bytes ? ` of ${bytes} bytes` : ''}`, { field });
  }
  return new Uint8Array(Buffer.from(v, 'hex'));
}
