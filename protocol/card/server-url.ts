/**
 * Server URLs as a rendez-vous card carries them (whitepaper section
 * "Transport protocols / URLs"): one scheme code byte, then the rest of the
 * URL after "scheme://" in its WHATWG-canonical form.
 *
 *   +--------+------------------+---------------------------+--------------------+
 *   | scheme | varint length n  | n bytes: UTF-8 rest       | [16 bytes relay    |  every scheme but mesh
 *   |        |                  |                           |  key fingerprint]  |
 *   +--------+------------------+---------------------------+--------------------+
 *   | 0x07   | 8 bytes node id  |                               mesh://<16 hex digits>
 *   +--------+------------------+
 *
 * The scheme byte's high bit (0x80) says a relay key fingerprint follows
 * (protocol/server/fingerprint.ts, issue 9 item 4): clients then talk to
 * that relay only under that key. Cards made before it have the bit clear
 * and still decode; they are accepted with a warning (cardWarnings). In
 * text a fingerprint is the URL fragment `#k=<32 hex digits>`.
 *
 * Validation uses the global WHATWG `URL` parser (pure: no I/O), then
 * per-scheme rules. Only the canonical serialisation is accepted on decode,
 * so one URL has exactly one byte form (a signature then covers one value):
 * the rest is `href` minus "scheme://", and for http/https the lone "/" path
 * that the parser always adds is left out (1 byte saved per URL).
 */
import { fromHex, fromUtf8, toHex, utf8 } from '../codec/bytes.ts';
import type { ByteReader } from '../codec/reader.ts';
import type { ByteWriter } from '../codec/writer.ts';
import { NODE_ID_BYTES } from '../keys/node-id.ts';
import { RELAY_KEY_FINGERPRINT_BYTES, splitPinnedUrl } from '../server/fingerprint.ts';

/** Scheme byte flag: a relay key fingerprint follows the URL. */
export const SERVER_KEY_FLAG = 0x80;

/** Scheme code bytes. Numbers never change meaning; new schemes are appended. */
export const SERVER_SCHEMES = {
  http: 1,
  https: 2,
  mqtt: 3,
  mqtts: 4,
  udp: 5,
  serial: 6,
  mesh: 7,
} as const;

export type ServerScheme = keyof typeof SERVER_SCHEMES;

/** Longest URL rest (after "scheme://") in bytes: keeps a full card inside one QR code. */
export const MAX_URL_REST_BYTES = 200;

const SCHEME_BY_CODE = new Map<number, ServerScheme>(
  (Object.entries(SERVER_SCHEMES) as [ServerScheme, number][]).map(([name, code]) => [code, name]),
);

/** Schemes whose URLs may carry user:password (HTTP basic auth, MQTT CONNECT credentials). */
const CREDENTIAL_SCHEMES: ReadonlySet<ServerScheme> = new Set(['http', 'https', 'mqtt', 'mqtts']);

export interface ServerUrl {
  readonly scheme: ServerScheme;
  /** The canonical URL text, e.g. "https://user:pass@host.net:8443" or "mesh://0123456789abcdef" (no fragment). */
  readonly url: string;
  /** The relay's key fingerprint (16 bytes), when the card's author pinned it. */
  readonly keyFingerprint?: Uint8Array;
}

export type UrlCheck = { ok: true; value: ServerUrl } | { ok: false; reason: string };

function schemeOf(text: string): ServerScheme | undefined {
  const colon = text.indexOf('://');
  if (colon <= 0) return undefined;
  const name = text.slice(0, colon).toLowerCase();
  return Object.hasOwn(SERVER_SCHEMES, name) ? (name as ServerScheme) : undefined;
}

/** The canonical rest of a parsed URL (see file comment). */
function canonicalRest(scheme: ServerScheme, u: URL): string {
  let rest = u.href.slice(scheme.length + 3);
  if ((scheme === 'http' || scheme === 'https') && u.pathname === '/' && u.search === '' && rest.endsWith('/')) {
    rest = rest.slice(0, -1);
  }
  return rest;
}

/** Per-scheme rules on top of WHATWG parsing; returns a reason or undefined when fine. */
function schemeRule(scheme: ServerScheme, u: URL): string | undefined {
  if (u.hash !== '') return 'fragments (#...) are not allowed';
  if ((u.username !== '' || u.password !== '') && !CREDENTIAL_SCHEMES.has(scheme)) {
    return `${scheme}: URLs carry no credentials`;
  }
  switch (scheme) {
    case 'http':
    case 'https':
    case 'mqtt':
    case 'mqtts':
    case 'udp':
      return u.hostname === '' ? `${scheme}: a host is required` : undefined;
    case 'serial':
      // "serial://dev/ttyS0" parses as host "dev" + path "/ttyS0": the device path is host + path.
      return u.hostname + u.pathname === '' ? 'serial: a device path is required' : undefined;
    case 'mesh':
      if (!/^[0-9a-f]{16}$/.test(u.hostname) || u.port !== '' || u.pathname !== '' || u.search !== '') {
        return `mesh: expected mesh://<${2 * NODE_ID_BYTES} lowercase hex digits of the node id>`;
      }
      return undefined;
  }
}

/**
 * Validates a URL typed by a user or read from a card and returns its
 * canonical form. Pure: the WHATWG parser is a global of every JS runtime.
 */
export function parseServerUrl(input: string): UrlCheck {
  // A trailing "#k=<32 hex>" is the relay key fingerprint, not part of the URL.
  const { url: text, fingerprint } = splitPinnedUrl(input);
  const scheme = schemeOf(text);
  if (!scheme) return { ok: false, reason: `unsupported scheme (use ${Object.keys(SERVER_SCHEMES).join(', ')})` };
  if (!URL.canParse(text)) return { ok: false, reason: 'not a valid URL' };
  const u = new URL(text);
  const rule = schemeRule(scheme, u);
  if (rule) return { ok: false, reason: rule };
  if (fingerprint && scheme === 'mesh') return { ok: false, reason: 'mesh: a node URL carries no relay key fingerprint' };
  const rest = canonicalRest(scheme, u);
  if (utf8(rest).length > MAX_URL_REST_BYTES) return { ok: false, reason: `longer than ${MAX_URL_REST_BYTES} bytes` };
  return { ok: true, value: { scheme, url: `${scheme}://${rest}`, ...(fingerprint ? { keyFingerprint: fingerprint } : {}) } };
}

/** Appends one server entry. The URL must come from parseServerUrl (encoders trust their input). */
export function writeServerUrl(w: ByteWriter, server: ServerUrl): void {
  const rest = server.url.slice(server.scheme.length + 3);
  const pinned = server.keyFingerprint !== undefined && server.scheme !== 'mesh';
  w.u8(SERVER_SCHEMES[server.scheme] | (pinned ? SERVER_KEY_FLAG : 0));
  if (server.scheme === 'mesh') {
    const id = fromHex(rest);
    if (!id || id.length !== NODE_ID_BYTES) throw new RangeError('mesh URL without a node id');
    w.fixed(id, NODE_ID_BYTES);
    return;
  }
  w.lengthPrefixed(utf8(rest), MAX_URL_REST_BYTES);
  if (pinned) w.fixed(server.keyFingerprint as Uint8Array, RELAY_KEY_FINGERPRINT_BYTES);
}

/** Reads one server entry; failures are recorded on the reader (never thrown). */
export function readServerUrl(r: ByteReader): ServerUrl | undefined {
  const at = r.offset;
  const byte = r.u8('server scheme');
  if (r.failed) return undefined;
  const pinned = (byte & SERVER_KEY_FLAG) !== 0;
  const code = byte & ~SERVER_KEY_FLAG;
  const scheme = SCHEME_BY_CODE.get(code);
  if (!scheme) {
    r.reject('bad-kind', `unknown server scheme code ${code} at byte ${at}`);
    return undefined;
  }
  if (scheme === 'mesh') {
    if (pinned) {
      r.reject('bad-value', `a mesh entry carries no relay key fingerprint (byte ${at})`);
      return undefined;
    }
    const id = r.bytes(NODE_ID_BYTES, 'mesh node id');
    return r.failed ? undefined : { scheme, url: `mesh://${toHex(id)}` };
  }
  const raw = r.lengthPrefixed(MAX_URL_REST_BYTES, `${scheme} URL`);
  if (r.failed) return undefined;
  const rest = fromUtf8(raw);
  if (rest === undefined) {
    r.reject('bad-encoding', `${scheme} URL is not UTF-8`);
    return undefined;
  }
  const parsed = parseServerUrl(`${scheme}://${rest}`);
  if (!parsed.ok) {
    r.reject('bad-value', `${scheme} URL refused: ${parsed.reason}`);
    return undefined;
  }
  if (parsed.value.url !== `${scheme}://${rest}` || parsed.value.keyFingerprint) {
    r.reject('bad-value', `${scheme} URL is not in canonical form`);
    return undefined;
  }
  if (!pinned) return parsed.value;
  const keyFingerprint = r.copy(RELAY_KEY_FINGERPRINT_BYTES, 'relay key fingerprint');
  return r.failed ? undefined : { ...parsed.value, keyFingerprint };
}

/** The text form of an entry: the URL, with `#k=<hex>` when it pins the relay key. */
export function serverUrlText(server: ServerUrl): string {
  return server.keyFingerprint ? `${server.url}#k=${toHex(server.keyFingerprint)}` : server.url;
}
