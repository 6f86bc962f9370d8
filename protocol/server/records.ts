/**
 * Signed records users publish through a relay and other users verify
 * themselves: emergency broadcasts and directory entries (docs/PROTOCOL.md
 * section "server", "Broadcasts" and "Directory"). The relay keeps and
 * returns the exact signed bytes.
 *
 * Broadcast record:
 *   +------+------------+-----------+----------------------------+--------+
 *   | 0x01 | author 32  | created   | text (varint len, UTF-8,   | sig 64 |
 *   | ver  | Ed25519    | u32 sec   |  <= 1024 bytes)            |        |
 *   +------+------------+-----------+----------------------------+--------+
 *   sig over "meow/relay/v1/broadcast" || relay Ed25519 pub || bytes before sig
 *
 * Directory entry ("free for chat"):
 *   +------+------------+-----------+---------+----------------------+--------------------+--------+
 *   | 0x01 | entry key  | created   | ttl     | description (varint, | reach (varint len, | sig 64 |
 *   | ver  | 32 Ed25519 | u32 sec   | u32 sec |  UTF-8 <= 140)       |  bytes <= 512)     |        |
 *   +------+------------+-----------+---------+----------------------+--------------------+--------+
 *   sig over "meow/relay/v1/directory" || relay Ed25519 pub || bytes before sig
 *
 * The entry key is fresh for every entry, so an entry links to nothing but
 * what its `reach` field (a rendez-vous card or mailbox) chooses to show.
 * Both signatures bind the relay's key: a record cannot be replayed on
 * another relay.
 */
import { concatBytes, fromUtf8, utf8 } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { ByteWriter } from '../codec/writer.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import {
  LABEL, MAX_BROADCAST_TEXT_BYTES, MAX_DIRECTORY_DESCRIPTION_BYTES, MAX_DIRECTORY_REACH_BYTES, MAX_DIRECTORY_TTL_SECONDS,
  RELAY_PROTOCOL_VERSION, SIGNATURE_BYTES,
} from './constants.ts';
import { RelayUsageError } from './errors.ts';

export const MAX_BROADCAST_RECORD_BYTES = 1 + 32 + 4 + 2 + MAX_BROADCAST_TEXT_BYTES + SIGNATURE_BYTES;
export const MAX_DIRECTORY_RECORD_BYTES = 1 + 32 + 8 + 2 + MAX_DIRECTORY_DESCRIPTION_BYTES + 2 + MAX_DIRECTORY_REACH_BYTES + SIGNATURE_BYTES;

export interface BroadcastRecord {
  readonly author: Uint8Array;
  readonly createdSec: number;
  readonly text: string;
  readonly bytes: Uint8Array;
}

export interface DirectoryEntry {
  readonly entryKey: Uint8Array;
  readonly createdSec: number;
  readonly ttlSec: number;
  readonly description: string;
  readonly reach: Uint8Array;
  readonly bytes: Uint8Array;
}

function sign(suite: CryptoSuite, seed: Uint8Array, label: Uint8Array, relaySigning: Uint8Array, body: Uint8Array): Uint8Array {
  return concatBytes(body, suite.ed25519Sign(seed, concatBytes(label, relaySigning, body)));
}

export function createBroadcast(
  suite: CryptoSuite, authorSeed: Uint8Array, relaySigning: Uint8Array, createdSec: number, text: string,
): BroadcastRecord {
  const author = suite.ed25519PublicKey(authorSeed);
  const textBytes = utf8(text);
  if (textBytes.length > MAX_BROADCAST_TEXT_BYTES) throw new RelayUsageError(`broadcast text over ${MAX_BROADCAST_TEXT_BYTES} bytes`);
  const body = new ByteWriter(64 + textBytes.length).u8(RELAY_PROTOCOL_VERSION).fixed(author, 32).u32(createdSec)
    .lengthPrefixed(textBytes, MAX_BROADCAST_TEXT_BYTES).finish();
  return { author, createdSec, text, bytes: sign(suite, authorSeed, LABEL.broadcast, relaySigning, body) };
}

export function decodeBroadcast(suite: CryptoSuite, relaySigning: Uint8Array, bytes: Uint8Array): DecodeResult<BroadcastRecord> {
  if (bytes.length > MAX_BROADCAST_RECORD_BYTES) return fail('too-long', 0, 'broadcast exceeds its cap');
  const r = new ByteReader(bytes);
  const version = r.u8('version');
  if (!r.failed && version !== RELAY_PROTOCOL_VERSION) return fail('bad-version', 0, `broadcast version ${version}`);
  const author = r.copy(32, 'author');
  const createdSec = r.u32('created');
  const textAt = r.offset;
  const raw = r.lengthPrefixed(MAX_BROADCAST_TEXT_BYTES, 'text');
  const bodyEnd = r.offset;
  const sig = r.bytes(SIGNATURE_BYTES, 'signature');
  r.end('broadcast');
  if (r.failed) return r.error!;
  const text = fromUtf8(raw);
  if (text === undefined) return fail('bad-encoding', textAt, 'broadcast text is not UTF-8');
  if (!suite.ed25519Verify(author, concatBytes(LABEL.broadcast, relaySigning, bytes.subarray(0, bodyEnd)), sig)) {
    return fail('bad-signature', bodyEnd, 'broadcast signature does not verify');
  }
  return ok({ author, createdSec, text, bytes: bytes.slice() });
}

export function createDirectoryEntry(
  suite: CryptoSuite, entrySeed: Uint8Array, relaySigning: Uint8Array,
  entry: { createdSec: number; ttlSec: number; description: string; reach: Uint8Array },
): DirectoryEntry {
  const entryKey = suite.ed25519PublicKey(entrySeed);
  const desc = utf8(entry.description);
  if (desc.length > MAX_DIRECTORY_DESCRIPTION_BYTES) throw new RelayUsageError('description too long');
  if (entry.reach.length > MAX_DIRECTORY_REACH_BYTES) throw new RelayUsageError('reach too long');
  if (entry.ttlSec < 1 || entry.ttlSec > MAX_DIRECTORY_TTL_SECONDS) throw new RelayUsageError('ttl out of range');
  const body = new ByteWriter(128 + desc.length + entry.reach.length).u8(RELAY_PROTOCOL_VERSION).fixed(entryKey, 32)
    .u32(entry.createdSec).u32(entry.ttlSec).lengthPrefixed(desc, MAX_DIRECTORY_DESCRIPTION_BYTES)
    .lengthPrefixed(entry.reach, MAX_DIRECTORY_REACH_BYTES).finish();
  return { entryKey, ...entry, reach: entry.reach.slice(), bytes: sign(suite, entrySeed, LABEL.directory, relaySigning, body) };
}

export function decodeDirectoryEntry(suite: CryptoSuite, relaySigning: Uint8Array, bytes: Uint8Array): DecodeResult<DirectoryEntry> {
  if (bytes.length > MAX_DIRECTORY_RECORD_BYTES) return fail('too-long', 0, 'directory entry exceeds its cap');
  const r = new ByteReader(bytes);
  const version = r.u8('version');
  if (!r.failed && version !== RELAY_PROTOCOL_VERSION) return fail('bad-version', 0, `directory version ${version}`);
  const entryKey = r.copy(32, 'entry key');
  const createdSec = r.u32('created');
  const ttlAt = r.offset;
  const ttlSec = r.u32('ttl');
  const descAt = r.offset;
  const rawDesc = r.lengthPrefixed(MAX_DIRECTORY_DESCRIPTION_BYTES, 'description');
  const reach = r.lengthPrefixed(MAX_DIRECTORY_REACH_BYTES, 'reach');
  const bodyEnd = r.offset;
  const sig = r.bytes(SIGNATURE_BYTES, 'signature');
  r.end('directory entry');
  if (r.failed) return r.error!;
  if (ttlSec < 1 || ttlSec > MAX_DIRECTORY_TTL_SECONDS) return fail('bad-value', ttlAt, `ttl ${ttlSec} out of range`);
  const description = fromUtf8(rawDesc);
  if (description === undefined) return fail('bad-encoding', descAt, 'description is not UTF-8');
  if (!suite.ed25519Verify(entryKey, concatBytes(LABEL.directory, relaySigning, bytes.subarray(0, bodyEnd)), sig)) {
    return fail('bad-signature', bodyEnd, 'directory entry signature does not verify');
  }
  return ok({ entryKey, createdSec, ttlSec, description, reach, bytes: bytes.slice() });
}
