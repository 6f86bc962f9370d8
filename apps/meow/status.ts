/**
 * `meow status [--url URL] [--json]`: asks a running meow-node for its
 * state (apps/meow-node/status-server.ts) and prints neighbours with
 * link quality, routes, queue depths, airtime and duty-cycle use, and, on a
 * gateway, connectivity, outbox depth and last sync per relay.
 */
import type { NodeStatusReport } from '../../seams/node-status.ts';
import { CliError } from './errors.ts';
import type { CliIo } from './io.ts';
import { parseFlags } from '../flags.ts';
import { NODE_OPTIONS, nodeTarget } from './node-client.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const DEFAULT_URL = 'http://127.0.0.1:8471/status';

export async function status(io: CliIo, argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { url: { type: 'string' }, json: { type: 'boolean' }, ...NODE_OPTIONS }, false);
  const target = await nodeTarget(io, values);
  const named = values['data-dir'] !== undefined || values.node !== undefined || io.env.MEOW_DATA_DIR !== undefined;
  const url = values.url ?? io.env.MEOW_STATUS_URL ?? (named || target.url !== DEFAULT_URL.replace('/status', '') ? `${target.url}/status` : DEFAULT_URL);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    // fetch's own words ("fetch failed", "The operation was aborted due to timeout") say nothing to a user.
    const why = (error as Error).name === 'TimeoutError' ? ' within 5 s' : '';
    throw new CliError('runtime', `no meow-node answers at ${url}${why}: is it running? (start it with \`npx meow-node${target.dataDirFlag}\`)`);
  }
  if (!response.ok) throw new CliError('runtime', `${url} answered HTTP ${response.status}`);
  const body = (await response.json()) as NodeStatusReport;
  if (values.json) {
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(formatStatus(body));
  const web = await readFile(join(target.dataDir, 'web.url'), 'utf8').catch(() => undefined);
  io.stdout.write(`\nlocal API: ${new URL(url).origin}${web ? `\nweb client for phones: ${web.trim()}` : ''}\n`);
  return 0;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

export function formatStatus(s: NodeStatusReport): string {
  const lines: string[] = [];
  lines.push(`node ${s.nodeId}   up ${Math.round(s.uptimeMs / 1000)} s`);
  const c = s.router.counters;
  lines.push(`frames  rx ${c.framesReceived}  tx ${c.framesSent}  relayed ${c.relayed}  duplicates ${c.duplicates}  malformed ${c.malformed}  forged ${c.forged}`);
  lines.push(`messages  delivered here ${c.delivered}  acked ${c.acked}  retries ${c.retries}  failed ${c.failed}  pending ${s.router.pendingMessages}`);
  lines.push('', 'links:');
  for (const l of s.links) {
    const q = l.scheduler;
    lines.push(`  ${l.id} (${l.kind}, mtu ${l.mtu})  queued ${q.queuedTotal} [ack ${q.queued.ack}, direct ${q.queued.direct}, relay ${q.queued.relay}, bulk ${q.queued.bulk}]`);
    lines.push(`    airtime ${Math.round(q.airtimeMs)} ms  duty cycle ${pct(q.dutyCycleUse)}  channel use ${pct(q.channelUse)}  shed ${Object.values(q.shed).reduce((a, b) => a + b, 0)}`);
  }
  lines.push('', `neighbours (${s.router.neighbours.length}):`);
  for (const n of s.router.neighbours) {
    const quality = [n.rssiDbm !== undefined ? `RSSI ${n.rssiDbm} dBm` : '', n.snrDb !== undefined ? `SNR ${n.snrDb} dB` : ''].filter(Boolean).join('  ');
    lines.push(`  ${n.nodeId ?? `hint ${n.hint.toString(16).padStart(2, '0')}`}  ${quality || 'no signal report'}  frames ${n.frames}  last heard ${new Date(n.lastHeardMs).toISOString()}`);
  }
  lines.push('', `routes (${s.router.routes.length}):`);
  for (const r of s.router.routes) lines.push(`  to ${r.destHint.toString(16).padStart(4, '0')} via [${r.path}] (${r.source})`);
  lines.push('', `mailboxes: ${s.mailboxes.mailboxes} holding ${s.mailboxes.messages} messages (${s.mailboxes.bytes} bytes)`);
  if (s.gateway) {
    const g = s.gateway;
    lines.push('', `gateway: outbox ${g.outbox.queued} envelopes (${g.outbox.queuedBytes} bytes), delivered ${g.outbox.delivered}, refused ${g.outbox.refused}; registered mailboxes ${g.fetcher.registrations}, fetched ${g.fetcher.fetched}`);
    for (const r of g.relays) {
      const sync = r.lastSyncAt ? new Date(r.lastSyncAt).toISOString() : 'never';
      lines.push(`  ${r.url}  ${r.online ? 'online' : 'OFFLINE'}  last sync ${sync}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
