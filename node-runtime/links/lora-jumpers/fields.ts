/** The shared field checks (../config-fields.ts) plus a boolean check this kind needs. */
import { check } from '../config-fields.ts';

export { int, str, type JsonObject } from '../config-fields.ts';

export function bool(v: unknown, field: string): boolean {
  check(typeof v === 'boolean', field, 'true or false');
  return v as boolean;
}
