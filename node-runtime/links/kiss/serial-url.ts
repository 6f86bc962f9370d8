/**
 * `serial:` URLs as a node's configuration and relay cards write them
 * (docs/PROTOCOL.md, server URLs): `serial:///dev/ttyUSB0?baud=115200&framing=kiss`
 * or the short `serial://dev/ttyS0` (WHATWG parses that as host "dev" + path
 * "/ttyS0": the device path is "/" + host + path). Query: `baud` (bit/s) and
 * `framing` (`kiss` or `slip`); anything else is refused, not ignored.
 */
export type SerialFraming = 'kiss' | 'slip';

export interface SerialUrl {
  readonly path: string;
  readonly baudRate?: number;
  readonly framing?: SerialFraming;
}

export type SerialUrlResult = { ok: true; value: SerialUrl } | { ok: false; reason: string };

const knownParams = new Set(['baud', 'framing']);

export function parseSerialUrl(text: string): SerialUrlResult {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return { ok: false, reason: `not a URL: ${JSON.stringify(text)}` };
  }
  if (u.protocol !== 'serial:') return { ok: false, reason: `expected a serial: URL, got ${u.protocol}` };
  if (u.username || u.password || u.port || u.hash) return { ok: false, reason: 'serial: URLs carry no credentials, port or fragment' };
  const path = u.hostname ? `/${u.hostname}${u.pathname}` : decodeURIComponent(u.pathname);
  if (path === '' || path === '/') return { ok: false, reason: 'serial: a device path is required' };
  for (const key of u.searchParams.keys()) if (!knownParams.has(key)) return { ok: false, reason: `serial: unknown parameter ${key} (use baud, framing)` };
  const baudText = u.searchParams.get('baud');
  let baudRate: number | undefined;
  if (baudText !== null) {
    baudRate = Number(baudText);
    if (!/^[0-9]+$/.test(baudText) || baudRate < 1200 || baudRate > 4_000_000) return { ok: false, reason: `serial: baud must be an integer in 1200..4000000, got ${baudText}` };
  }
  const framing = u.searchParams.get('framing');
  if (framing !== null && framing !== 'kiss' && framing !== 'slip') return { ok: false, reason: `serial: framing must be kiss or slip, got ${framing}` };
  return { ok: true, value: { path, ...(baudRate === undefined ? {} : { baudRate }), ...(framing === null ? {} : { framing }) } };
}
