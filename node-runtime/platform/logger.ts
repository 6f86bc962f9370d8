/**
 * One JSON object per line on stderr: easy to read with journalctl and to
 * parse. Callers pass fields, never key material (docs/THREAT-MODEL.md).
 */
import type { LogLevel, Logger } from '../../seams/logger.ts';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(level: LogLevel, now: () => number, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const emit = (at: LogLevel) => (message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[at] < ORDER[level]) return;
    const record = { t: new Date(now()).toISOString(), level: at, msg: message, ...fields };
    write(`${JSON.stringify(record, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v))}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
