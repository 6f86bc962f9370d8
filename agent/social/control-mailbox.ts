/**
 * A group mailbox as the control messages carry it (control.ts group-join
 * and group-keys): the Lkp public key that names it and at most two servers.
 *
 *   version 2 (written):
 *   +---------------------+-----------------+--------------------------------------------+
 *   | Lkp Ed25519 pub 32  | server count u8 | count x server entry, the card's byte form |
 *   |                     | (0..2)          | (protocol/card/server-url.ts), <= 64 each  |
 *   +---------------------+-----------------+--------------------------------------------+
 *     mesh node by key:  0x87 | node key 32                        33 bytes
 *     mesh node by id:   0x07 | node id 8                           9 bytes
 *     relay:             scheme | varint n | n bytes of the URL after "scheme://" [| fingerprint 16]
 *
 *   version 1 (read only, agents before the node key): each server is
 *   varint length | UTF-8 URL text (<= 64 bytes), too short for mesh://<64 hex>.
 *
 * The card's form is reused rather than a second codec: one URL has one byte
 * form, a mesh node key costs 33 bytes instead of 71 as text, and a relay's
 * pinned key 16 instead of 35. Every canonical URL that fitted version 1's
 * 64 bytes of text fits the 64-byte entry (the "scheme://" the entry drops is
 * longer than the scheme byte and length it adds).
 * The node key is why it changed: a group copy submitted with it travels with
 * an authenticated origin beyond one hop (docs/PROTOCOL.md "Authenticated source").
 *
 * Servers stay text in MailboxAddress (the stored group state is JSON):
 * decoding gives the canonical text (parseServerUrl, `#k=` for a pinned
 * relay), encoding takes any text parseServerUrl accepts.
 */
import { fromUtf8 } from '../../protocol/codec/bytes.ts';
import type { ByteReader } from '../../protocol/codec/reader.ts';
import { type DecodeResult, fail, ok } from '../../protocol/codec/result.ts';
import { ByteWriter } from '../../protocol/codec/writer.ts';
import { type ServerUrl, parseServerUrl, readServerUrl, serverUrlText, writeServerUrl } from '../../protocol/card/server-url.ts';
import { SocialError } from './errors.ts';

export const MAILBOX_KEY_BYTES = 32;
export const MAX_MAILBOX_SERVERS = 2;
/** Longest server entry in a version-2 mailbox: keeps the largest group-keys message inside one 1:1 envelope (control.ts). */
export const MAX_SERVER_ENTRY_BYTES = 64;
/** Longest server URL text in a version-1 mailbox. */
export const MAX_SERVER_URL_BYTES = 64;

export interface MailboxAddress {
  /** Lkp Ed25519 public key naming the mailbox (fresh, used for nothing else). */
  readonly lookupKey: Uint8Array;
  /** Canonical server URLs: `mesh://<node key or id>` for the member's node, relays (with `#k=` when pinned). */
  readonly servers: readonly string[];
}

function entryOf(server: ServerUrl): Uint8Array {
  const w = new ByteWriter(MAX_SERVER_ENTRY_BYTES);
  writeServerUrl(w, server);
  return w.finish();
}

/** The entry of one server URL given by the user or the host; misuse throws SocialError. */
function serverEntry(text: string): Uint8Array {
  const parsed = parseServerUrl(text);
  // The URL itself stays out of the message: a relay URL may carry credentials.
  if (!parsed.ok) throw new SocialError('bad-argument', `a group mailbox server URL is refused: ${parsed.reason}`);
  const entry = entryOf(parsed.value);
  if (entry.length > MAX_SERVER_ENTRY_BYTES) {
    throw new SocialError('bad-argument', `a ${parsed.value.scheme} server takes ${entry.length} bytes in a group mailbox, at most ${MAX_SERVER_ENTRY_BYTES}`);
  }
  return entry;
}

/** Appends a mailbox in the version-2 form. */
export function writeMailbox(w: ByteWriter, m: MailboxAddress): void {
  if (m.lookupKey.length !== MAILBOX_KEY_BYTES) throw new SocialError('bad-argument', `mailbox key must be ${MAILBOX_KEY_BYTES} bytes`);
  if (m.servers.length > MAX_MAILBOX_SERVERS) throw new SocialError('bad-argument', `at most ${MAX_MAILBOX_SERVERS} servers per mailbox`);
  const entries = m.servers.map(serverEntry);
  w.bytes(m.lookupKey).u8(entries.length);
  for (const e of entries) w.bytes(e);
}

/** One version-2 server entry; the card's decoder checks it (canonical URL, valid node key). */
function readEntry(r: ByteReader): DecodeResult<string> {
  const at = r.offset;
  const server = readServerUrl(r);
  if (r.failed || !server) return r.error!;
  const length = r.offset - at;
  if (length > MAX_SERVER_ENTRY_BYTES) return fail('too-long', at, `server entry of ${length} bytes, at most ${MAX_SERVER_ENTRY_BYTES}`);
  return ok(serverUrlText(server));
}

/**
 * One version-1 server: text from an older agent. Held to what version 2
 * can carry (a URL parseServerUrl accepts, in an entry of <= 64 bytes), so
 * a member's mailbox taken from it can always be sent on in a group-keys.
 */
function readText(r: ByteReader): DecodeResult<string> {
  const at = r.offset;
  const raw = r.lengthPrefixed(MAX_SERVER_URL_BYTES, 'server URL');
  if (r.failed) return r.error!;
  const text = fromUtf8(raw);
  if (text === undefined) return fail('bad-encoding', at, 'server URL is not UTF-8');
  const parsed = parseServerUrl(text);
  if (!parsed.ok) return fail('bad-value', at, `server URL refused: ${parsed.reason}`);
  const length = entryOf(parsed.value).length;
  if (length > MAX_SERVER_ENTRY_BYTES) return fail('too-long', at, `server URL takes ${length} bytes as an entry, at most ${MAX_SERVER_ENTRY_BYTES}`);
  return ok(serverUrlText(parsed.value));
}

/** Reads a mailbox of control version 1 or 2; hostile bytes give a typed result, never a throw. */
export function readMailbox(r: ByteReader, version: 1 | 2): DecodeResult<MailboxAddress> {
  const lookupKey = r.copy(MAILBOX_KEY_BYTES, 'mailbox key');
  const countAt = r.offset;
  const count = r.u8('server count');
  if (r.failed) return r.error!;
  if (count > MAX_MAILBOX_SERVERS) return fail('bad-value', countAt, `${count} servers, at most ${MAX_MAILBOX_SERVERS}`);
  const servers: string[] = [];
  for (let i = 0; i < count; i++) {
    const server = version === 2 ? readEntry(r) : readText(r);
    if (!server.ok) return server;
    servers.push(server.value);
  }
  return ok({ lookupKey, servers });
}
