/**
 * Keeps the registrations a gateway accepted across restarts: each is kept
 * as it arrived, sealed to the gateway's node key, in one file written
 * atomically (temp file, fsync, rename). The file holds lookup keys once
 * opened with the node key, which lives on the same disk: a seized gateway
 * gives them up (docs/THREAT-MODEL.md, "Gateway nodes").
 *
 * Each record also keeps the node key of the sender the router
 * authenticated when the registration came (absent when unknown), so the
 * gateway sends that node's mail authenticated after a restart, when its
 * router has forgotten the key.
 *
 *   file    = 0x00 0x00 0x02 record2*          (version 2)
 *           | record1*                         (version 1, read only)
 *   record2 = length (u16, big-endian) | sealed registration
 *             | keyLength (u8, 0 = none) | sender node key
 *   record1 = length (u16, big-endian) | sealed registration
 *
 * A version 1 file never starts with a zero length (put refuses empty
 * records and its reader stops at one), so the header tells them apart and
 * a version 1 file is read as records without a sender key.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export interface BookEntry {
  readonly sealed: Uint8Array;
  /** The node key of the sender the router authenticated; absent when unknown (or a version 1 file). */
  readonly senderPublicKey?: Uint8Array;
}

const VERSION_2 = [0, 0, 2];

export class RegistrationBook {
  private readonly records = new Map<string, BookEntry>();

  constructor(private readonly path: string) {}

  /** Reads the file; a missing file is an empty book, a damaged tail is ignored (it was never acknowledged). */
  load(): BookEntry[] {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const v2 = bytes.length >= 3 && VERSION_2.every((b, i) => bytes[i] === b);
    const out: BookEntry[] = [];
    for (let at = v2 ? 3 : 0; at + 2 <= bytes.length;) {
      const length = ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
      if (length === 0 || at + 2 + length > bytes.length) break;
      const sealed = new Uint8Array(bytes.subarray(at + 2, at + 2 + length));
      at += 2 + length;
      if (!v2) {
        out.push({ sealed });
        continue;
      }
      if (at >= bytes.length) break;
      const keyLength = bytes[at] as number;
      if (at + 1 + keyLength > bytes.length) break;
      const key = bytes.subarray(at + 1, at + 1 + keyLength);
      at += 1 + keyLength;
      out.push(keyLength === 0 ? { sealed } : { sealed, senderPublicKey: new Uint8Array(key) });
    }
    return out;
  }

  /** Replaces the record kept under `key` (the lookup public key, hex) and rewrites the file. */
  put(key: string, sealed: Uint8Array, senderPublicKey?: Uint8Array): void {
    if (sealed.length === 0 || sealed.length > 0xffff) throw new RangeError('sealed registration must be 1..65535 bytes');
    if (senderPublicKey && (senderPublicKey.length === 0 || senderPublicKey.length > 0xff)) throw new RangeError('sender key must be 1..255 bytes');
    this.records.set(key, senderPublicKey ? { sealed: sealed.slice(), senderPublicKey: senderPublicKey.slice() } : { sealed: sealed.slice() });
    this.save();
  }

  delete(key: string): void {
    if (this.records.delete(key)) this.save();
  }

  /** Rewrites the file with the records kept now (drops what load() found but nobody put back). */
  save(): void {
    const parts: Uint8Array[] = [new Uint8Array(VERSION_2)];
    for (const { sealed, senderPublicKey: k } of this.records.values()) {
      parts.push(new Uint8Array([sealed.length >> 8, sealed.length & 0xff]), sealed, new Uint8Array([k?.length ?? 0]));
      if (k) parts.push(k);
    }
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      for (const p of parts) writeSync(fd, p);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
