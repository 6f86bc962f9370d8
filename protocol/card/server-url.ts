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
 *   | 0x87   | 32 bytes node key (Ed25519) |                    mesh://<64 hex digits>
 *   +--------+-----------------------------+
 *
 * The scheme byte's high bit (0x80) says a relay key fingerprint follows
 * (protocol/server/fingerprint.ts, issue 9 item 4): clients then talk to
 * that relay only under that key. Cards made before it have the bit clear
 * and still decode; they are accepted with a warning (cardWarnings). In
 * text a fingerprint is the URL fragment `#k=<32 hex digits>`.
 *
 * On a mesh entry the same bit says the node's 32-byte Ed25519 key stands
 * in place of its 8-byte id (the id is derived from it: protocol/keys/node-id.ts).
 * A sender holding the key can put an origin block on a first message to a
 * node farther than one hop, so that node learns which node sent it and
 * only it can acknowledge it (docs/PROTOCOL.md "Authenticated source").
 * Cards with the id alone still decode, with a warning (cardWarnings).
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
import { KEY_BYTES } from '../crypto/suite.ts';
import { NODE_ID_BYTES } from '../keys/node-id.ts';
import { isAcceptableEd25519PublicKey } from '../keys/validate.ts';
import { RELAY_KEY_FINGERPRINT_BYTES, splitPinnedUrl } from '../server/fingerprint.ts';

/** Scheme byte flag: a relay key fingerprint follows the URL; on a mesh entry, the node key replaces the node id. */
export const SERVER_KEY_FLAG = 0x80;
/** A mesh entry's node key: the node's Ed25519 public key. */
export const MESH_NODE_KEY_BYTES = KEY_BYTES;

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
  /**
   * The canonical URL text, e.g. "https://user:pass@host.net:8443", "mesh://0123456789abcdef" (node id)
   * or "mesh://<64 hex digits>" (node key); never a fragment.
   */
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
      return meshRule(u);
  }
}

const MESH_ID_TEXT = new RegExp(`^[0-9a-f]{${2 * NODE_ID_BYTES}}$`);
const MESH_KEY_TEXT = new RegExp(`^[0-9a-f]{${2 * MESH_NODE_KEY_BYTES}}$`);

/** mesh://<node id> or mesh://<node key>, lowercase hex only: "mesh:" is not a special scheme, so the parser keeps the case. */
function meshRule(u: URL): string | undefined {
  const host = u.hostname;
  if ((!MESH_ID_TEXT.test(host) && !MESH_KEY_TEXT.test(host)) || u.port !== '' || u.pathname !== '' || u.search !== '') {
    return `mesh: expected mesh://<${2 * NODE_ID_BYTES} lowercase hex digits of the node id, or ${2 * MESH_NODE_KEY_BYTES} of the node key>`;
  }
  // A key the router could not verify with would only make the sender's origin block useless.
  if (host.length === 2 * MESH_NODE_KEY_BYTES && !isAcceptableEd25519PublicKey(fromHex(host) as Uint8Array)) {
    return 'mesh: the node key is not a valid Ed25519 public key';
  }
  return undefined;
}

/**
 * What a mesh entry names its node by: the 32-byte node key when the card
 * carries it (a submission given it sends an authenticated origin), else the
 * 8-byte node id; undefined for any other scheme.
 */
export function meshNodeOf(server: ServerUrl): Uint8Array | undefined {
  if (server.scheme !== 'mesh') return undefined;
  return fromHex(server.url.slice('mesh://'.length));
}

/** True when a mesh entry carries the node key, not only its id. */
export function meshEntryHasKey(server: ServerUrl): boolean {
  return meshNodeOf(server)?.length === MESH_NODE_KEY_BYTES;
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
  if (server.scheme === 'mesh') {
    const node = fromHex(rest);
    if (node?.length === MESH_NODE_KEY_BYTES) {
      w.u8(SERVER_SCHEMES.mesh | SERVER_KEY_FLAG).fixed(node, MESH_NODE_KEY_BYTES);
      return;
    }
    if (!node || node.length !== NODE_ID_BYTES) throw new RangeError('mesh URL without a node id or key');
    w.u8(SERVER_SCHEMES.mesh).fixed(node, NODE_ID_BYTES);
    return;
  }
  const pinned = server.keyFingerprint !== undefined;
  w.u8(SERVER_SCHEMES[server.scheme] | (pinned ? SERVER_KEY_FLAG : 0));
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
  if (scheme === 'mesh') return readMeshEntry(r, pinned, at);
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

/** A mesh entry after its scheme byte: the node key when the flag is set, else the node id. */
function readMeshEntry(r: ByteReader, keyed: boolean, at: number): ServerUrl | undefined {
  if (!keyed) {
    const id = r.bytes(NODE_ID_BYTES, 'mesh node id');
    return r.failed ? undefined : { scheme: 'mesh', url: `mesh://${toHex(id)}` };
  }
  const key = r.bytes(MESH_NODE_KEY_BYTES, 'mesh node key');
  if (r.failed) return undefined;
  if (!isAcceptableEd25519PublicKey(key)) {
    r.reject('bad-value', `the mesh node key at byte ${at + 1} is not a valid Ed25519 public key`);
    return undefined;
  }
  return { scheme: 'mesh', url: `mesh://${toHex(key)}` };
}

/** The text form of an entry: the URL, with `#k=<hex>` when it pins the relay key. */
export function serverUrlText(server: ServerUrl): string {
  return server.keyFingerprint ? `${server.url}#k=${toHex(server.keyFingerprint)}` : server.url;
}
