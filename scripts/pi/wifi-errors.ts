/** Errors of the Pi provisioning scripts (STYLE.md rule 6). */
import { AppError } from '../../apps/errors.ts';

export class ScriptError extends AppError<'bad-wifi-config'> {
  override readonly name = 'ScriptError';
  constructor(code: 'bad-wifi-config', message: string, details: { fields?: Record<string, unknown> } = {}) {
    super(code, message, details.fields);
  }
}
