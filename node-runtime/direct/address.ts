/**
 * A node's direct address as presence carries it: `udp://host:port`
 * (IPv6 hosts in brackets). Only UDP is spoken on the direct path; other
 * schemes are refused with a typed error, never guessed at.
 */
import { DirectPathError } from './errors.ts';

export interface DirectAddress {
  readonly host: string;
  readonly port: number;
}

export function parseDirectAddress(text: string): DirectAddress {
  if (!URL.canParse(text)) throw new DirectPathError('bad-address', 'a direct address is udp://host:port');
  const url = new URL(text);
  const port = Number(url.port);
  if (url.protocol !== 'udp:' || url.hostname === '' || !Number.isInteger(port) || port < 1 || port > 65535 || url.username || url.pathname.replace(/^\/$/, '') !== '') {
    throw new DirectPathError('bad-address', 'a direct address is udp://host:port');
  }
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

export function formatDirectAddress(host: string, port: number): string {
  return `udp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
