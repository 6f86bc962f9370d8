/**
 * `meow sensors [SOURCE[/SENSOR]] [--limit N] [--latest] [--csv|--json]`:
 * what a collector node stored from its field sensor relays (GET
 * /v1/sensors, docs/API.md "Field sensors"): the latest reading of each
 * sensor and a history, as tables, or exported as CSV (the history, or the
 * latest with --latest) or JSON (both).
 */
import type { SensorReadingsResponse, SensorReadingView } from '../../seams/sensor-readings.ts';
import { usage } from './errors.ts';
import { HELP } from './help.ts';
import type { CliIo } from './io.ts';
import { NODE_OPTIONS, NodeClient } from './node-client.ts';
import { HELP_OPTION, parse } from './options.ts';

const CSV_HEADER = 'received_at,source,sensor,quantity,value,unit,raw,counter,index';

/** UTC, to the second: what a person reads in a table. */
function tableTime(at: number): string {
  return new Date(at).toISOString().slice(0, 19).replace('T', ' ');
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly SensorReadingView[]): string {
  const lines = rows.map((r) => [new Date(r.receivedAt).toISOString(), r.source, r.sensor, String(r.quantity), String(r.value), r.unit,
    String(r.raw), String(r.counter), String(r.index)].map(csvField).join(','));
  return `${[CSV_HEADER, ...lines].join('\n')}\n`;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return `${[header, ...rows].map(line).join('\n')}\n`;
}

export function formatSensors(response: SensorReadingsResponse, latestOnly: boolean): string {
  if (response.latest.length === 0) return 'no sensor readings yet\n';
  const latest = table(['SOURCE', 'SENSOR', 'VALUE', 'UNIT', 'RECEIVED (UTC)'],
    response.latest.map((r) => [r.source, r.sensor, String(r.value), r.unit, tableTime(r.receivedAt)]));
  if (latestOnly) return `latest\n${latest}`;
  const history = table(['RECEIVED (UTC)', 'SOURCE', 'SENSOR', 'VALUE', 'UNIT', 'COUNTER', 'INDEX'],
    response.history.map((r) => [tableTime(r.receivedAt), r.source, r.sensor, String(r.value), r.unit, String(r.counter), String(r.index)]));
  return `latest\n${latest}\nhistory (${response.history.length} readings, oldest first)\n${history}`;
}

export async function sensors(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    ...HELP_OPTION, ...NODE_OPTIONS, limit: { type: 'string' }, latest: { type: 'boolean' }, csv: { type: 'boolean' }, json: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(HELP.sensors!);
    return 0;
  }
  if (positionals.length > 1) throw usage(`unexpected argument ${positionals[1]}`);
  if (values.csv && values.json) throw usage('--csv and --json: choose one');
  if (values.limit !== undefined && !/^\d+$/.test(values.limit)) throw usage('--limit takes a number of readings, 1-10000');
  const query = new URLSearchParams();
  if (positionals[0] !== undefined) query.set('sensor', positionals[0]);
  if (values.limit !== undefined) query.set('limit', values.limit);
  const node = await NodeClient.open(io, values);
  const response = await node.request<SensorReadingsResponse>('GET', `/v1/sensors${query.size > 0 ? `?${query}` : ''}`);
  if (values.json) io.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
  else if (values.csv) io.stdout.write(toCsv(values.latest ? response.latest : response.history));
  else io.stdout.write(formatSensors(response, values.latest ?? false));
  return 0;
}
